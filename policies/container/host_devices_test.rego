package vigil.container.host_devices_test

import data.vigil.container.host_devices

test_device_denied if {
	r := host_devices.deny with input as {"kind": "container", "container": {"name": "disk", "devices": [{"path_on_host": "/dev/sda", "path_in_container": "/dev/xvda", "permissions": "rwm"}]}}
	r == {"container \"disk\" has host device \"/dev/sda\" mapped at \"/dev/xvda\" (rwm)"}
}

test_allowlisted_device_allowed if {
	r := host_devices.deny with input as {"kind": "container", "container": {"name": "fuse", "devices": [{"path_on_host": "/dev/fuse", "path_in_container": "/dev/fuse", "permissions": "rwm"}]}}
		with data.vigil.config.allowed_devices as ["/dev/fuse"]
	count(r) == 0
}

test_no_devices_allowed if {
	r := host_devices.deny with input as {"kind": "container", "container": {"name": "web", "devices": []}}
	count(r) == 0
}
