package vigil.host.cgroup_parent_test

import data.vigil.host.cgroup_parent

test_cgroup_parent_denied if {
	r := cgroup_parent.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"cgroup_parent": "/unlimited"}}}
	r == {"host \"node-1\": Docker daemon uses non-default cgroup parent \"/unlimited\""}
}

test_cgroup_parent_allowed if {
	r := cgroup_parent.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"cgroup_parent": ""}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := cgroup_parent.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
