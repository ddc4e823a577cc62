package vigil.image.no_digest_test

import data.vigil.image.no_digest

test_no_digest_denied if {
	r := no_digest.deny with input as {"kind": "image", "image": {"reference": "app:dev", "repo_digests": []}}
	count(r) == 1
	r == {"image \"app:dev\" has no registry digest; it cannot be pinned or verified by digest"}
}

test_no_digest_by_id_denied if {
	r := no_digest.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "repo_digests": []}}
	r == {"image \"sha256:abc\" has no registry digest; it cannot be pinned or verified by digest"}
}

test_digest_allowed if {
	r := no_digest.deny with input as {"kind": "image", "image": {"reference": "nginx:1.27", "repo_digests": ["nginx@sha256:5f0574409b3add89581b96c68afe9e9c7b284651c3a974b6e8bac46bf95e6b7f"]}}
	count(r) == 0
}
