package vigil.image.add_instead_of_copy_test

import data.vigil.image.add_instead_of_copy

_image(cmds) := {"kind": "image", "image": {"reference": "shop/web:1.4", "history": [{"created_by": c} | some c in cmds]}}

test_classic_add_denied if {
	r := add_instead_of_copy.deny with input as _image([
		"/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ",
		"/bin/sh -c #(nop) ADD dir:7a1b9c0e2f in /srv/app ",
	])
	count(r) == 1
	r == {"image \"shop/web:1.4\" uses ADD instead of COPY: ADD dir:7a1b9c0e2f in /srv/app"}
}

test_buildkit_add_denied if {
	r := add_instead_of_copy.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "history": [{"created_by": "ADD --chown=app:app config.yaml /etc/app/ # buildkit"}]}}
	count(r) == 1
	r == {"image \"sha256:abc\" uses ADD instead of COPY: ADD --chown=app:app config.yaml /etc/app/"}
}

test_rootfs_and_copy_allowed if {
	r := add_instead_of_copy.deny with input as _image([
		"/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ",
		"ADD alpine-minirootfs-3.20.3-x86_64.tar.gz / # buildkit",
		"COPY . /app # buildkit",
		"/bin/sh -c #(nop) COPY file:abc in /usr/local/bin/ ",
		"RUN /bin/sh -c echo ADD me # buildkit",
	])
	count(r) == 0
}

test_remote_add_left_to_other_rule_allowed if {
	r := add_instead_of_copy.deny with input as _image(["ADD https://example.com/tool.tar.gz /opt/ # buildkit"])
	count(r) == 0
}
