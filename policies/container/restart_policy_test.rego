package vigil.container.restart_policy_test

import data.vigil.container.restart_policy

test_always_denied if {
	r := restart_policy.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "restart_policy": {"name": "always", "maximum_retry_count": 0}}}
	r == {"container \"web\" restarts without limit (restart policy \"always\")"}
}

test_on_failure_unbounded_denied if {
	r := restart_policy.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "restart_policy": {"name": "on-failure", "maximum_retry_count": 0}}}
	r == {"container \"web\" restarts on failure without limit (at most 5 allowed)"}
}

test_on_failure_too_many_denied if {
	r := restart_policy.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "restart_policy": {"name": "on-failure", "maximum_retry_count": 10}}}
	r == {"container \"web\" restarts on failure up to 10 times (at most 5 allowed)"}
}

test_on_failure_bounded_allowed if {
	r := restart_policy.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "restart_policy": {"name": "on-failure", "maximum_retry_count": 5}}}
	count(r) == 0
}

test_no_restart_allowed if {
	r := restart_policy.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "restart_policy": {"name": "no", "maximum_retry_count": 0}}}
	count(r) == 0
}

test_kubernetes_allowed if {
	r := restart_policy.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": {"namespace": "a"}, "restart_policy": {"name": "always", "maximum_retry_count": 0}}}
	count(r) == 0
}
