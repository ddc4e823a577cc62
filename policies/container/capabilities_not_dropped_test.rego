package vigil.container.capabilities_not_dropped_test

import data.vigil.container.capabilities_not_dropped

test_default_capabilities_denied if {
	r := capabilities_not_dropped.deny with input as {"kind": "container", "container": {"name": "web", "cap_drop": [], "cap_add": []}}
	r == {"container \"web\" does not drop ALL capabilities"}
}

test_added_capability_denied if {
	r := capabilities_not_dropped.deny with input as {"kind": "container", "container": {"name": "web", "cap_drop": ["ALL"], "cap_add": ["CAP_CHOWN", "NET_BIND_SERVICE"]}}
	r == {"container \"web\" adds capabilities other than NET_BIND_SERVICE: CHOWN"}
}

test_drop_all_allowed if {
	r := capabilities_not_dropped.deny with input as {"kind": "container", "container": {"name": "web", "cap_drop": ["all"], "cap_add": ["NET_BIND_SERVICE"]}}
	count(r) == 0
}
