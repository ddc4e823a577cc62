package vigil.runtime.debugfs_test

import data.vigil.runtime.debugfs

_fact(comm, host) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 12, "comm": comm, "exe": concat("", ["/sbin/", comm]), "args": [comm, "-w", "/dev/sda1"]},
	"container": {"id": "c0ffee", "name": "tools", "image": "debian:12", "host": host},
}}

test_debugfs_denied if {
	r := debugfs.deny with input as _fact("debugfs", false)
	count(r) == 1
	r == {"/sbin/debugfs (pid 12) run in container \"tools\": debugfs -w /dev/sda1"}
}

test_host_allowed if {
	count(debugfs.deny) == 0 with input as _fact("debugfs", true)
}

test_other_tool_allowed if {
	count(debugfs.deny) == 0 with input as _fact("fsck", false)
}
