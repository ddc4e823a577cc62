package vigil.host.base_device_size_test

import data.vigil.host.base_device_size

test_base_device_size_denied if {
	r := base_device_size.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"base_device_size": "50G"}}}
	r == {"host \"node-1\": Docker daemon changes the base device size to 50G"}
}

test_base_device_size_allowed if {
	r := base_device_size.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"base_device_size": ""}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := base_device_size.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
