package vigil.container.pids_limit_test

import data.vigil.container.pids_limit

test_unlimited_denied if {
	r := pids_limit.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"pids_limit": -1}}}
	r == {"container \"web\" has no PIDs limit"}
}

test_no_resources_denied if {
	r := pids_limit.deny with input as {"kind": "container", "container": {"name": "web", "resources": null}}
	r == {"container \"web\" has no PIDs limit"}
}

test_limited_allowed if {
	r := pids_limit.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"pids_limit": 256}}}
	count(r) == 0
}
