package vigil.runtime.ptrace_test

import data.vigil.runtime.ptrace

_fact(change, host) := {"kind": "privilege_change", "privilege_change": {
	"change": change, "target": "1 (nginx)",
	"process": {"pid": 2900, "comm": "gdb", "exe": "/usr/bin/gdb"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": host},
}}

test_ptrace_denied if {
	r := ptrace.deny with input as _fact("ptrace", false)
	count(r) == 1
	r == {"/usr/bin/gdb (pid 2900) in container \"web\" attached to or wrote into process 1 (nginx) with ptrace"}
}

test_other_change_allowed if {
	count(ptrace.deny) == 0 with input as _fact("capset", false)
}

test_host_process_allowed if {
	count(ptrace.deny) == 0 with input as _fact("ptrace", true)
}

test_allowed_exe_allowed if {
	r := ptrace.deny with input as _fact("ptrace", false)
		with data.vigil.config.runtime_ptrace_allowed_exes as ["gdb"]
	count(r) == 0
}

test_traceme_is_not_an_attach_allowed if {
	f := json.patch(_fact("ptrace", false), [{"op": "replace", "path": "/privilege_change/target", "value": "TRACEME"}])
	count(ptrace.deny) == 0 with input as f
}
