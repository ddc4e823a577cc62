package vigil.container.hostpath_volume_test

import data.vigil.container.hostpath_volume

test_host_path_mount_denied if {
	r := hostpath_volume.deny with input as {"kind": "container", "container": {
		"name": "log-shipper",
		"kubernetes": {"pod": "ship-1", "volume_types": ["hostPath"]},
		"mounts": [{"type": "hostPath", "source": "/var/log", "destination": "/logs"}],
	}}
	r == {"container \"log-shipper\" mounts hostPath volume \"/var/log\" at \"/logs\""}
}

test_pod_level_host_path_denied if {
	r := hostpath_volume.deny with input as {"kind": "container", "container": {
		"name": "sidecar",
		"kubernetes": {"pod": "ship-1", "volume_types": ["hostPath", "emptyDir"]},
		"mounts": [],
	}}
	r == {"container \"sidecar\" belongs to pod \"ship-1\", which declares hostPath volumes"}
}

test_no_host_path_allowed if {
	r := hostpath_volume.deny with input as {"kind": "container", "container": {
		"name": "api",
		"kubernetes": {"pod": "api-1", "volume_types": ["configMap"]},
		"mounts": [{"type": "volume", "source": "", "destination": "/config"}],
	}}
	count(r) == 0
}

test_docker_bind_allowed if {
	r := hostpath_volume.deny with input as {"kind": "container", "container": {
		"name": "web",
		"kubernetes": null,
		"mounts": [{"type": "bind", "source": "/srv", "destination": "/srv"}],
	}}
	count(r) == 0
}
