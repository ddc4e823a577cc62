package vigil.runtime.cloud_metadata_test

import data.vigil.runtime.cloud_metadata

_fact(address) := {"kind": "network_connection", "network_connection": {
	"direction": "outbound", "protocol": "tcp", "remote_address": address, "remote_port": 80,
	"process": {"pid": 2500, "comm": "curl", "exe": "/usr/bin/curl"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_imds_denied if {
	r := cloud_metadata.deny with input as _fact("169.254.169.254")
	count(r) == 1
	r == {"/usr/bin/curl (pid 2500) in container \"web\" contacted the cloud metadata service at 169.254.169.254:80"}
}

test_ipv6_imds_denied if {
	cloud_metadata.deny == {"/usr/bin/curl (pid 2500) in container \"web\" contacted the cloud metadata service at fd00:ec2::254:80"} with input as _fact("fd00:ec2::254")
}

test_other_address_allowed if {
	count(cloud_metadata.deny) == 0 with input as _fact("169.254.170.2")
}

test_allowed_image_allowed if {
	r := cloud_metadata.deny with input as _fact("169.254.169.254")
		with data.vigil.config.runtime_metadata_allowed_images as ["nginx:*"]
	count(r) == 0
}
