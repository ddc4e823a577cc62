package vigil.runtime.setuid_exec_test

import data.vigil.runtime.setuid_exec

_fact(uid, euid) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 1000, "uid": uid, "euid": euid, "comm": "su", "exe": "/bin/su"},
	"container": {"id": "c0ffee", "name": "api", "image": "shop/api:2"},
}}

test_setuid_root_denied if {
	r := setuid_exec.deny with input as _fact(1000, 0)
	count(r) == 1
	r == {"/bin/su (pid 1000) in container \"api\" gained root through setuid (uid 1000, euid 0)"}
}

test_plain_root_and_user_allowed if {
	count(setuid_exec.deny) == 0 with input as _fact(0, 0)
	count(setuid_exec.deny) == 0 with input as _fact(1000, 1000)
}

test_allowed_exe_allowed if {
	r := setuid_exec.deny with input as _fact(1000, 0)
		with data.vigil.config.runtime_setuid_allowed_exes as ["su"]
	count(r) == 0
}
