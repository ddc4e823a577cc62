package vigil.runtime.drift_executable_test

import data.vigil.runtime.drift_executable

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_new_binary_denied if {
	r := drift_executable.deny with input as _fact({"pid": 77, "comm": "kworker", "exe": "/usr/local/bin/kworker", "exe_known": true, "exe_in_image": false})
	count(r) == 1
	r == {"container \"web\" executed /usr/local/bin/kworker (pid 77), a binary that is not part of image nginx:1.27"}
}

test_image_binary_allowed if {
	count(drift_executable.deny) == 0 with input as _fact({"pid": 1, "comm": "nginx", "exe": "/usr/sbin/nginx", "exe_known": true, "exe_in_image": true})
}

test_unknown_allowed if {
	count(drift_executable.deny) == 0 with input as _fact({"pid": 1, "comm": "x", "exe": "/data/x", "exe_known": false, "exe_in_image": false})
}

test_allowed_path_allowed if {
	r := drift_executable.deny with input as _fact({"pid": 5, "comm": "plugin", "exe": "/var/cache/app/plugins/a/plugin", "exe_known": true})
		with data.vigil.config.runtime_drift_allowed_paths as ["/var/cache/app/plugins/**"]
	count(r) == 0
}
