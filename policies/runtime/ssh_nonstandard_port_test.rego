package vigil.runtime.ssh_nonstandard_port_test

import data.vigil.runtime.ssh_nonstandard_port

_fact(comm, port) := {"kind": "network_connection", "network_connection": {
	"direction": "outbound", "protocol": "tcp", "remote_address": "203.0.113.9", "remote_port": port,
	"process": {"pid": 41, "comm": comm, "exe": concat("", ["/usr/bin/", comm]), "args": [comm]},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_ssh_port_2222_denied if {
	r := ssh_nonstandard_port.deny with input as _fact("ssh", 2222)
	count(r) == 1
	r == {"/usr/bin/ssh (pid 41) in container \"web\" connected over SSH to 203.0.113.9 port 2222"}
}

test_ssh_port_22_allowed if {
	count(ssh_nonstandard_port.deny) == 0 with input as _fact("ssh", 22)
}

test_other_client_allowed if {
	count(ssh_nonstandard_port.deny) == 0 with input as _fact("curl", 2222)
}

test_allowed_port_allowed if {
	r := ssh_nonstandard_port.deny with input as _fact("ssh", 2222)
		with data.vigil.config.runtime_ssh_allowed_ports as [2222]
	count(r) == 0
}
