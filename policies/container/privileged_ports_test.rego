package vigil.container.privileged_ports_test

import data.vigil.container.privileged_ports

test_port_80_denied if {
	r := privileged_ports.deny with input as {"kind": "container", "container": {"name": "web", "ports": [
		{"container_port": 8080, "protocol": "tcp", "host_ip": "", "host_port": 80},
		{"container_port": 8443, "protocol": "tcp", "host_ip": "", "host_port": 8443},
	]}}
	r == {"container \"web\" maps privileged host port 80 to container port 8080/tcp"}
}

test_high_and_unpublished_ports_allowed if {
	r := privileged_ports.deny with input as {"kind": "container", "container": {"name": "web", "ports": [
		{"container_port": 80, "protocol": "tcp", "host_ip": "", "host_port": 0},
		{"container_port": 80, "protocol": "tcp", "host_ip": "", "host_port": 1025},
	]}}
	count(r) == 0
}
