package vigil.host.aufs_test

import data.vigil.host.aufs

test_aufs_denied if {
	r := aufs.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"storage_driver": "aufs"}}}
	r == {"host \"node-1\": Docker daemon uses the aufs storage driver"}
}

test_aufs_allowed if {
	r := aufs.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"storage_driver": "overlay2"}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := aufs.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
