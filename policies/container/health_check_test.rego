package vigil.container.health_check_test

import data.vigil.container.health_check

test_none_denied if {
	r := health_check.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "health_check": null}}
	r == {"container \"web\" has no health check"}
}

test_empty_denied if {
	r := health_check.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "health_check": {"test": []}}}
	r == {"container \"web\" has no health check"}
}

test_disabled_denied if {
	r := health_check.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "health_check": {"test": ["NONE"]}}}
	r == {"container \"web\" has its health check disabled"}
}

test_present_allowed if {
	r := health_check.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "health_check": {"test": ["CMD-SHELL", "curl -f http://localhost/"]}}}
	count(r) == 0
}

test_kubernetes_allowed if {
	r := health_check.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": {"namespace": "a"}, "health_check": null}}
	count(r) == 0
}
