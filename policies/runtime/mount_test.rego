package vigil.runtime.mount_test

import data.vigil.runtime.mount

_fact(change, host) := {"kind": "privilege_change", "privilege_change": {
	"change": change, "target": "/mnt/host",
	"process": {"pid": 2900, "comm": "mount", "exe": "/usr/bin/mount"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": host},
}}

test_mount_denied if {
	r := mount.deny with input as _fact("mount", false)
	count(r) == 1
	r == {"/usr/bin/mount (pid 2900) in container \"web\" mounted /mnt/host"}
}

test_other_change_allowed if {
	count(mount.deny) == 0 with input as _fact("capset", false)
}

test_host_process_allowed if {
	count(mount.deny) == 0 with input as _fact("mount", true)
}

test_allowed_exe_allowed if {
	r := mount.deny with input as _fact("mount", false)
		with data.vigil.config.runtime_mount_allowed_exes as ["mount"]
	count(r) == 0
}
