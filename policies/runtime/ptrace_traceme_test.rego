package vigil.runtime.ptrace_traceme_test

import data.vigil.runtime.ptrace_traceme

_fact(target, host) := {"kind": "privilege_change", "privilege_change": {
	"change": "ptrace", "target": target,
	"process": {"pid": 77, "comm": "evil", "exe": "/tmp/evil"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": host},
}}

test_traceme_denied if {
	r := ptrace_traceme.deny with input as _fact("TRACEME", false)
	count(r) == 1
	r == {"/tmp/evil (pid 77) in container \"web\" called ptrace(PTRACE_TRACEME), an anti-debugging step"}
}

test_attach_allowed if {
	count(ptrace_traceme.deny) == 0 with input as _fact("pid 1 (ATTACH)", false)
}

test_host_allowed if {
	count(ptrace_traceme.deny) == 0 with input as _fact("TRACEME", true)
}

test_listed_exe_allowed if {
	r := ptrace_traceme.deny with input as _fact("TRACEME", false)
		with data.vigil.config.runtime_ptrace_allowed_exes as ["evil"]
	count(r) == 0
}
