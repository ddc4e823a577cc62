package vigil.container.shared_propagation_test

import data.vigil.container.shared_propagation

test_shared_denied if {
	r := shared_propagation.deny with input as {"kind": "container", "container": {"name": "csi", "mounts": [
		{"type": "bind", "source": "/mnt/data", "destination": "/data", "propagation": "rshared"},
		{"type": "bind", "source": "/srv", "destination": "/srv", "propagation": "rprivate"},
	]}}
	r == {"container \"csi\" mounts \"/mnt/data\" at \"/data\" with rshared propagation"}
}

test_private_allowed if {
	r := shared_propagation.deny with input as {"kind": "container", "container": {"name": "web", "mounts": [
		{"type": "bind", "source": "/srv", "destination": "/srv", "propagation": "rslave"},
		{"type": "volume", "source": "", "destination": "/v", "propagation": ""},
	]}}
	count(r) == 0
}
