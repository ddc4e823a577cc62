package vigil.container.host_pid_test

import data.vigil.container.host_pid

test_host_pid_denied if {
	r := host_pid.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"pid": "host"}}}
	r == {"container \"agent\" shares the host's PID namespace"}
}

test_private_pid_allowed if {
	r := host_pid.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"pid": "container:abc"}}}
	count(r) == 0
}

test_no_namespaces_allowed if {
	r := host_pid.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": null}}
	count(r) == 0
}
