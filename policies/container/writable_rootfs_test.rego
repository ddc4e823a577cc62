package vigil.container.writable_rootfs_test

import data.vigil.container.writable_rootfs

test_writable_denied if {
	r := writable_rootfs.deny with input as {"kind": "container", "container": {"name": "web", "read_only_rootfs": false}}
	r == {"container \"web\" has a writable root filesystem"}
}

test_read_only_allowed if {
	r := writable_rootfs.deny with input as {"kind": "container", "container": {"name": "web", "read_only_rootfs": true}}
	count(r) == 0
}

test_other_kind_allowed if {
	r := writable_rootfs.deny with input as {"kind": "host", "host": {"hostname": "h"}}
	count(r) == 0
}
