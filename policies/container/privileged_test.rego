package vigil.container.privileged_test

import data.vigil.container.privileged

test_privileged_denied if {
	r := privileged.deny with input as {"kind": "container", "container": {"name": "/web", "privileged": true}}
	r == {"container \"web\" runs privileged"}
}

test_unprivileged_allowed if {
	r := privileged.deny with input as {"kind": "container", "container": {"name": "web", "privileged": false}}
	count(r) == 0
}

test_other_kind_allowed if {
	r := privileged.deny with input as {"kind": "image", "image": {"id": "sha256:1"}}
	count(r) == 0
}
