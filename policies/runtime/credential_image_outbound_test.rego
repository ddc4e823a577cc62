package vigil.runtime.credential_image_outbound_test

import data.vigil.runtime.credential_image_outbound

_connect(address, secrets) := {
	"kind": "network_connection",
	"network_connection": {
		"direction": "outbound", "remote_address": address, "remote_port": 443, "protocol": "tcp",
		"process": {"pid": 77, "exe": "/usr/bin/curl", "comm": "curl"},
		"container": {"id": "c0ffee", "name": "worker", "image": "corp/worker:1", "host": false},
	},
	"context": {"image": {"id": "sha256:ab", "secrets": secrets}},
}

_aws := {"rule": "aws-access-key-id", "location": "env", "path": "AWS_ACCESS_KEY_ID"}

test_outbound_with_aws_key_denied if {
	r := credential_image_outbound.deny with input as _connect("52.94.236.248", [_aws, {"rule": "private-key", "location": "file"}])
	r == {"/usr/bin/curl (pid 77) in container \"worker\" connects to 52.94.236.248:443, and its image carries aws-access-key-id"}
}

test_outbound_without_cloud_secret_allowed if {
	count(credential_image_outbound.deny) == 0 with input as _connect("52.94.236.248", [{"rule": "github-token", "location": "file"}])
}

test_loopback_allowed if {
	count(credential_image_outbound.deny) == 0 with input as _connect("127.0.0.1", [_aws])
	count(credential_image_outbound.deny) == 0 with input as _connect("::1", [_aws])
}

test_mapped_loopback_allowed if {
	count(credential_image_outbound.deny) == 0 with input as _connect("::ffff:127.0.0.1", [_aws])
}
