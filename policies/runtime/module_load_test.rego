package vigil.runtime.module_load_test

import data.vigil.runtime.module_load

_fact(change, host) := {"kind": "privilege_change", "privilege_change": {
	"change": change, "target": "rootkit",
	"process": {"pid": 2900, "comm": "insmod", "exe": "/usr/bin/insmod"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": host},
}}

test_module_load_denied if {
	r := module_load.deny with input as _fact("module_load", false)
	count(r) == 1
	r == {"/usr/bin/insmod (pid 2900) in container \"web\" loaded kernel module rootkit"}
}

test_other_change_allowed if {
	count(module_load.deny) == 0 with input as _fact("capset", false)
}

test_host_process_allowed if {
	count(module_load.deny) == 0 with input as _fact("module_load", true)
}

test_allowed_exe_allowed if {
	r := module_load.deny with input as _fact("module_load", false)
		with data.vigil.config.runtime_module_load_allowed_exes as ["insmod"]
	count(r) == 0
}
