package vigil.container.host_network_test

import data.vigil.container.host_network

test_host_network_denied if {
	r := host_network.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"network": "host"}}}
	r == {"container \"agent\" shares the host's network namespace"}
}

test_private_network_allowed if {
	r := host_network.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"network": "container:abc"}}}
	count(r) == 0
}

test_no_namespaces_allowed if {
	r := host_network.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": null}}
	count(r) == 0
}
