package vigil.host.sandboxed_runtime_test

import data.vigil.host.sandboxed_runtime

_host(runtimes) := {"kind": "host", "host": {"hostname": "node-1", "runtimes": runtimes}}

test_runc_only_denied if {
	r := sandboxed_runtime.deny with input as _host([{"name": "runc", "path": "runc", "sandboxed": false}, {"name": "io.containerd.runc.v2", "path": "", "sandboxed": false}])
		with data.vigil.config.require_sandboxed_runtime as true
	r == {"host \"node-1\": no sandboxed container runtime is registered (runtimes: io.containerd.runc.v2, runc)"}
}

test_no_runtimes_denied if {
	r := sandboxed_runtime.deny with input as _host([])
		with data.vigil.config.require_sandboxed_runtime as true
	r == {"host \"node-1\": no sandboxed container runtime is registered (runtimes: none)"}
}

test_runsc_allowed if {
	r := sandboxed_runtime.deny with input as _host([{"name": "runc", "path": "runc", "sandboxed": false}, {"name": "runsc", "path": "/usr/bin/runsc", "sandboxed": false}])
		with data.vigil.config.require_sandboxed_runtime as true
	count(r) == 0
}

test_flagged_sandbox_allowed if {
	r := sandboxed_runtime.deny with input as _host([{"name": "my-kata", "path": "/opt/kata/bin/kata-runtime", "sandboxed": true}])
		with data.vigil.config.require_sandboxed_runtime as true
	count(r) == 0
}

test_not_required_allowed if {
	r := sandboxed_runtime.deny with input as _host([{"name": "runc", "path": "runc", "sandboxed": false}])
	count(r) == 0
}
