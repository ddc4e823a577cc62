package vigil.container.memory_limit_test

import data.vigil.container.memory_limit

test_unlimited_denied if {
	r := memory_limit.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"memory_bytes": 0}}}
	r == {"container \"web\" has no memory limit"}
}

test_no_resources_denied if {
	r := memory_limit.deny with input as {"kind": "container", "container": {"name": "web", "resources": null}}
	r == {"container \"web\" has no memory limit"}
}

test_limited_allowed if {
	r := memory_limit.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"memory_bytes": 268435456}}}
	count(r) == 0
}
