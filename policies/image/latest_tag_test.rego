package vigil.image.latest_tag_test

import data.vigil.image.latest_tag

test_latest_denied if {
	r := latest_tag.deny with input as {"kind": "image", "image": {"reference": "nginx:1.27", "repo_tags": ["nginx:1.27", "nginx:latest"]}}
	count(r) == 1
	r == {"image \"nginx:1.27\" is tagged nginx:latest; the tag is mutable and does not identify a build"}
}

test_registry_port_latest_denied if {
	r := latest_tag.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "repo_tags": ["registry.local:5000/app:latest"]}}
	r == {"image \"sha256:abc\" is tagged registry.local:5000/app:latest; the tag is mutable and does not identify a build"}
}

test_versioned_tags_allowed if {
	r := latest_tag.deny with input as {"kind": "image", "image": {"reference": "app:1", "repo_tags": ["app:1", "app:latest-rc"]}}
	count(r) == 0
}
