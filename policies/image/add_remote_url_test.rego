package vigil.image.add_remote_url_test

import data.vigil.image.add_remote_url

_image(cmds) := {"kind": "image", "image": {"reference": "shop/web:1.4", "history": [{"created_by": c} | some c in cmds]}}

test_buildkit_url_denied if {
	r := add_remote_url.deny with input as _image(["ADD https://example.com/tool.tar.gz /opt/ # buildkit"])
	count(r) == 1
	r == {"image \"shop/web:1.4\" downloads remote content with ADD: ADD https://example.com/tool.tar.gz /opt/"}
}

test_git_url_denied if {
	r := add_remote_url.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "history": [{"created_by": "ADD git@github.com:acme/app.git /src # buildkit"}]}}
	count(r) == 1
	r == {"image \"sha256:abc\" downloads remote content with ADD: ADD git@github.com:acme/app.git /src"}
}

test_checksum_pinned_allowed if {
	r := add_remote_url.deny with input as _image(["ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/ # buildkit"])
	count(r) == 0
}

test_local_add_allowed if {
	r := add_remote_url.deny with input as _image(["/bin/sh -c #(nop) ADD file:abc in /app ", "COPY https.conf /etc/ # buildkit"])
	count(r) == 0
}
