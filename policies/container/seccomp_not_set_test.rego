package vigil.container.seccomp_not_set_test

import data.vigil.container.seccomp_not_set

test_unset_denied if {
	r := seccomp_not_set.deny with input as {"kind": "container", "container": {"name": "api", "seccomp_profile": ""}}
	r == {"container \"api\" does not set a seccomp profile"}
}

test_runtime_default_allowed if {
	r := seccomp_not_set.deny with input as {"kind": "container", "container": {"name": "api", "seccomp_profile": "runtime/default"}}
	count(r) == 0
}

test_unconfined_left_to_baseline_rule_allowed if {
	r := seccomp_not_set.deny with input as {"kind": "container", "container": {"name": "api", "seccomp_profile": "unconfined"}}
	count(r) == 0
}
