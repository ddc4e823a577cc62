package vigil.runtime.setns_test

import data.vigil.runtime.setns

_fact(change, host) := {"kind": "privilege_change", "privilege_change": {
	"change": change, "target": "/proc/1/ns/mnt",
	"process": {"pid": 2900, "comm": "nsenter", "exe": "/usr/bin/nsenter"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": host},
}}

test_setns_denied if {
	r := setns.deny with input as _fact("setns", false)
	count(r) == 1
	r == {"/usr/bin/nsenter (pid 2900) in container \"web\" joined namespace /proc/1/ns/mnt (setns)"}
}

test_other_change_allowed if {
	count(setns.deny) == 0 with input as _fact("capset", false)
}

test_host_process_allowed if {
	count(setns.deny) == 0 with input as _fact("setns", true)
}

test_allowed_exe_allowed if {
	r := setns.deny with input as _fact("setns", false)
		with data.vigil.config.runtime_setns_allowed_exes as ["nsenter"]
	count(r) == 0
}
