package vigil.container.host_userns_test

import data.vigil.container.host_userns

test_host_userns_denied if {
	r := host_userns.deny with input as {"kind": "container", "container": {"name": "web", "namespaces": {"userns": "host"}}}
	r == {"container \"web\" shares the host's user namespace"}
}

test_remapped_allowed if {
	r := host_userns.deny with input as {"kind": "container", "container": {"name": "web", "namespaces": {"userns": ""}}}
	count(r) == 0
}
