package vigil.container.cpu_priority_test

import data.vigil.container.cpu_priority

test_defaults_denied if {
	r := cpu_priority.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"cpu_shares": 1024, "nano_cpus": 0}}}
	r == {"container \"web\" has neither CPU shares nor a CPU limit set"}
}

test_no_resources_denied if {
	r := cpu_priority.deny with input as {"kind": "container", "container": {"name": "web", "resources": null}}
	r == {"container \"web\" has neither CPU shares nor a CPU limit set"}
}

test_shares_allowed if {
	r := cpu_priority.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"cpu_shares": 512, "nano_cpus": 0}}}
	count(r) == 0
}

test_cpu_limit_allowed if {
	r := cpu_priority.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"cpu_shares": 0, "nano_cpus": 500000000}}}
	count(r) == 0
}
