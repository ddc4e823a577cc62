package vigil.container.default_bridge_test

import data.vigil.container.default_bridge

test_bridge_denied if {
	r := default_bridge.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "namespaces": {"network": "bridge"}}}
	r == {"container \"web\" is attached to the default bridge network (docker0)"}
}

test_user_network_allowed if {
	r := default_bridge.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "namespaces": {"network": "app-net"}}}
	count(r) == 0
}

test_kubernetes_allowed if {
	r := default_bridge.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": {"namespace": "a"}, "namespaces": {"network": "bridge"}}}
	count(r) == 0
}
