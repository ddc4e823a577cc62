package vigil.image.secrets_test

import data.vigil.image.secrets

_image(found) := {"kind": "image", "image": {"reference": "shop/web:1.4", "secrets": found}}

test_file_secret_denied if {
	r := secrets.deny with input as _image([{"rule": "private-key", "location": "file", "path": "/root/.ssh/id_rsa", "layer": 3, "redacted": "-----BEGIN OPENSSH PRIVATE KEY-----****"}])
	count(r) == 1
	r == {"image \"shop/web:1.4\" stores a private-key secret in file /root/.ssh/id_rsa (layer 3)"}
}

test_deleted_secret_still_denied if {
	r := secrets.deny with input as _image([{"rule": "aws-access-key", "location": "file", "path": "/app/.env", "layer": 4, "deleted_later": true}])
	count(r) == 1
	r == {"image \"shop/web:1.4\" stores a aws-access-key secret in file /app/.env (layer 4), deleted by a later layer but still recoverable"}
}

test_env_and_history_secrets_denied if {
	r := secrets.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "secrets": [
		{"rule": "github-token", "location": "env", "path": "GH_TOKEN", "layer": 0},
		{"rule": "generic-password", "location": "history", "path": "", "layer": 2},
		{"rule": "slack-token", "location": "label", "path": "ci.token", "layer": 0},
	]}}
	count(r) == 3
	r == {
		"image \"sha256:abc\" stores a github-token secret in environment variable GH_TOKEN",
		"image \"sha256:abc\" stores a generic-password secret in build history (layer 2)",
		"image \"sha256:abc\" stores a slack-token secret in label ci.token (layer 0)",
	}
}

test_no_secrets_allowed if {
	count(secrets.deny) == 0 with input as _image([])
}
