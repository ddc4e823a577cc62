package vigil.image.file_capabilities_test

import data.vigil.image.file_capabilities

_allow := {"/usr/bin/ping": ["NET_RAW"]}

test_unexpected_caps_denied if {
	r := file_capabilities.deny with input as {"kind": "image", "image": {"reference": "shop/tool:1", "files": [
		{"path": "/usr/local/bin/tool", "capabilities": ["cap_net_admin,cap_sys_admin=ep"]},
		{"path": "/usr/bin/ping", "capabilities": ["cap_net_raw+ep"]},
	]}}
		with data.vigil.config.image_file_capabilities_allowed as _allow
	count(r) == 1
	r == {"image \"shop/tool:1\" grants file capabilities NET_ADMIN, SYS_ADMIN to /usr/local/bin/tool"}
}

test_extra_cap_on_allowed_path_denied if {
	r := file_capabilities.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "files": [{"path": "/usr/bin/ping", "capabilities": ["CAP_NET_RAW", "CAP_NET_ADMIN"]}]}}
		with data.vigil.config.image_file_capabilities_allowed as _allow
	r == {"image \"sha256:abc\" grants file capabilities NET_ADMIN to /usr/bin/ping"}
}

test_allowed_caps_allowed if {
	r := file_capabilities.deny with input as {"kind": "image", "image": {"reference": "x", "files": [
		{"path": "/usr/bin/ping", "capabilities": ["cap_net_raw=ep"]},
		{"path": "/usr/bin/passwd", "setuid": true, "capabilities": []},
	]}}
		with data.vigil.config.image_file_capabilities_allowed as _allow
	count(r) == 0
}

test_no_allowlist_configured_denied if {
	r := file_capabilities.deny with input as {"kind": "image", "image": {"reference": "x", "files": [{"path": "/usr/bin/ping", "capabilities": ["cap_net_raw+ep"]}]}}
		with data.vigil.config as {}
	r == {"image \"x\" grants file capabilities NET_RAW to /usr/bin/ping"}
}
