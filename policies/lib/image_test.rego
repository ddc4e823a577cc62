package vigil.lib.image_test

import data.vigil.lib.image

test_display_name_reference if {
	image.display_name({"reference": "nginx:1.27", "id": "sha256:abc"}) == "nginx:1.27"
}

test_display_name_id if {
	image.display_name({"reference": "", "id": "sha256:abc"}) == "sha256:abc"
}

test_display_name_without_reference if {
	image.display_name({"id": "sha256:abc"}) == "sha256:abc"
}
