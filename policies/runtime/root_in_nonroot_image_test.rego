package vigil.runtime.root_in_nonroot_image_test

import data.vigil.runtime.root_in_nonroot_image

_fact(uid, user) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 800, "uid": uid, "comm": "sh", "exe": "/bin/sh"},
	"container": {"id": "c0ffee", "name": "api", "image": "shop/api:2", "image_user": user},
}}

test_root_in_user_image_denied if {
	r := root_in_nonroot_image.deny with input as _fact(0, "10001:10001")
	count(r) == 1
	r == {"/bin/sh (pid 800) runs as root in container \"api\" although image shop/api:2 declares user 10001:10001"}
}

test_image_user_process_allowed if {
	count(root_in_nonroot_image.deny) == 0 with input as _fact(10001, "10001:10001")
}

test_root_image_allowed if {
	count(root_in_nonroot_image.deny) == 0 with input as _fact(0, "")
	count(root_in_nonroot_image.deny) == 0 with input as _fact(0, "root")
	count(root_in_nonroot_image.deny) == 0 with input as _fact(0, "0:0")
}

test_allowed_image_allowed if {
	r := root_in_nonroot_image.deny with input as _fact(0, "app")
		with data.vigil.config.runtime_root_allowed_images as ["shop/*"]
	count(r) == 0
}
