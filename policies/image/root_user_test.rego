package vigil.image.root_user_test

import data.vigil.image.root_user

_image(user) := {"kind": "image", "image": {"reference": "shop/web:1.4", "config": {"user": user}}}

test_no_user_denied if {
	r := root_user.deny with input as _image("")
	count(r) == 1
	r == {"image \"shop/web:1.4\" declares no USER and runs as root"}
}

test_root_name_denied if {
	r := root_user.deny with input as _image("root")
	count(r) == 1
	r == {"image \"shop/web:1.4\" runs as root (USER root)"}
}

test_uid_zero_with_group_denied if {
	r := root_user.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "reference": "", "config": {"user": "0:0"}}}
	count(r) == 1
	r == {"image \"sha256:abc\" runs as root (USER 0:0)"}
}

test_non_root_user_allowed if {
	count(root_user.deny) == 0 with input as _image("10001:10001")
	count(root_user.deny) == 0 with input as _image("app")
	count(root_user.deny) == 0 with input as _image("app:0")
}

test_missing_config_allowed if {
	count(root_user.deny) == 0 with input as {"kind": "image", "image": {"reference": "x", "config": null}}
}
