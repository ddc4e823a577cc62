package vigil.image.update_alone_test

import data.vigil.image.update_alone

_image(cmds) := {"kind": "image", "image": {"reference": "shop/web:1.4", "history": [{"created_by": c} | some c in cmds]}}

test_apt_get_update_alone_denied if {
	r := update_alone.deny with input as _image([
		"/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ",
		"/bin/sh -c apt-get update",
		"/bin/sh -c apt-get install -y curl",
	])
	count(r) == 1
	r == {"image \"shop/web:1.4\" updates the package index without installing in the same RUN: /bin/sh -c apt-get update"}
}

test_buildkit_apk_update_denied if {
	r := update_alone.deny with input as _image(["RUN /bin/sh -c apk --no-cache update # buildkit"])
	count(r) == 1
	r == {"image \"shop/web:1.4\" updates the package index without installing in the same RUN: RUN /bin/sh -c apk --no-cache update # buildkit"}
}

test_yum_makecache_denied if {
	r := update_alone.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "history": [{"created_by": "/bin/sh -c yum -y makecache && echo done"}]}}
	count(r) == 1
	r == {"image \"sha256:abc\" updates the package index without installing in the same RUN: /bin/sh -c yum -y makecache && echo done"}
}

test_update_with_install_allowed if {
	r := update_alone.deny with input as _image([
		"/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
		"RUN /bin/sh -c apk update && apk add --no-cache tini # buildkit",
		"/bin/sh -c dnf -y update && dnf -y install nginx",
	])
	count(r) == 0
}

test_metadata_entries_allowed if {
	r := update_alone.deny with input as _image(["/bin/sh -c #(nop)  LABEL note=run apt-get update first"])
	count(r) == 0
}
