package vigil.container.ports_all_interfaces_test

import data.vigil.container.ports_all_interfaces

test_wildcard_denied if {
	r := ports_all_interfaces.deny with input as {"kind": "container", "container": {"name": "web", "ports": [
		{"container_port": 8080, "protocol": "tcp", "host_ip": "0.0.0.0", "host_port": 8080},
		{"container_port": 53, "protocol": "udp", "host_ip": "", "host_port": 5353},
	]}}
	r == {
		"container \"web\" publishes port 8080/tcp on every host interface",
		"container \"web\" publishes port 5353/udp on every host interface",
	}
}

test_specific_interface_allowed if {
	r := ports_all_interfaces.deny with input as {"kind": "container", "container": {"name": "web", "ports": [
		{"container_port": 8080, "protocol": "tcp", "host_ip": "10.0.0.5", "host_port": 8080},
		{"container_port": 9090, "protocol": "tcp", "host_ip": "", "host_port": 0},
	]}}
	count(r) == 0
}
