package vigil.container.host_uts_test

import data.vigil.container.host_uts

test_host_uts_denied if {
	r := host_uts.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"uts": "host"}}}
	r == {"container \"agent\" shares the host's UTS namespace"}
}

test_private_uts_allowed if {
	r := host_uts.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"uts": "container:abc"}}}
	count(r) == 0
}

test_no_namespaces_allowed if {
	r := host_uts.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": null}}
	count(r) == 0
}
