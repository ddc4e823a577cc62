package vigil.container.cgroup_parent_test

import data.vigil.container.cgroup_parent

test_custom_parent_denied if {
	r := cgroup_parent.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"cgroup_parent": "/unlimited"}}}
	r == {"container \"web\" runs under non-default cgroup parent \"/unlimited\""}
}

test_default_parent_allowed if {
	r := cgroup_parent.deny with input as {"kind": "container", "container": {"name": "web", "resources": {"cgroup_parent": ""}}}
	count(r) == 0
}

test_no_resources_allowed if {
	r := cgroup_parent.deny with input as {"kind": "container", "container": {"name": "web", "resources": null}}
	count(r) == 0
}
