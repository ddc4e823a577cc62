package vigil.runtime.unshare_test

import data.vigil.runtime.unshare

_fact(change, host) := {"kind": "privilege_change", "privilege_change": {
	"change": change, "target": "user,mnt",
	"process": {"pid": 2900, "comm": "unshare", "exe": "/usr/bin/unshare"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": host},
}}

test_unshare_denied if {
	r := unshare.deny with input as _fact("unshare", false)
	count(r) == 1
	r == {"/usr/bin/unshare (pid 2900) in container \"web\" created new namespaces (unshare user,mnt)"}
}

test_other_change_allowed if {
	count(unshare.deny) == 0 with input as _fact("capset", false)
}

test_host_process_allowed if {
	count(unshare.deny) == 0 with input as _fact("unshare", true)
}

test_allowed_exe_allowed if {
	r := unshare.deny with input as _fact("unshare", false)
		with data.vigil.config.runtime_unshare_allowed_exes as ["unshare"]
	count(r) == 0
}
