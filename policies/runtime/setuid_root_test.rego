package vigil.runtime.setuid_root_test

import data.vigil.runtime.setuid_root

_fact(old, new, target) := {"kind": "privilege_change", "privilege_change": {
	"change": "setuid", "old_uid": old, "new_uid": new, "target": target,
	"process": {"pid": 2700, "comm": "sudo", "exe": "/usr/bin/sudo"},
	"container": {"id": "c0ffee", "name": "api", "image": "shop/api:2"},
}}

test_user_to_root_denied if {
	r := setuid_root.deny with input as _fact(1000, 0, "/usr/bin/sudo")
	count(r) == 1
	r == {"/usr/bin/sudo (pid 2700) in container \"api\" changed uid 1000 to 0 (root) via /usr/bin/sudo"}
}

test_syscall_without_target_denied if {
	r := setuid_root.deny with input as _fact(33, 0, "")
	r == {"/usr/bin/sudo (pid 2700) in container \"api\" changed uid 33 to 0 (root)"}
}

test_root_dropping_privileges_allowed if {
	count(setuid_root.deny) == 0 with input as _fact(0, 101, "")
}

test_allowed_exe_allowed if {
	r := setuid_root.deny with input as _fact(1000, 0, "")
		with data.vigil.config.runtime_setuid_allowed_exes as ["/usr/bin/sudo"]
	count(r) == 0
}
