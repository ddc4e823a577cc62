package vigil.container.published_ports_test

import data.vigil.container.published_ports

test_published_ports_listed if {
	r := published_ports.deny with input as {"kind": "container", "container": {"name": "web", "ports": [
		{"container_port": 80, "protocol": "tcp", "host_ip": "0.0.0.0", "host_port": 8080},
		{"container_port": 9090, "protocol": "tcp", "host_ip": "", "host_port": 0},
	]}}
	r == {"container \"web\" publishes host ports 8080->80/tcp: check each is needed"}
}

test_no_published_ports_allowed if {
	count(published_ports.deny) == 0 with input as {"kind": "container", "container": {"name": "web", "ports": [{"container_port": 80, "protocol": "tcp", "host_port": 0}]}}
	count(published_ports.deny) == 0 with input as {"kind": "container", "container": {"name": "web", "ports": [{"container_port": 80, "protocol": "tcp", "host_port": 80}], "kubernetes": {"pod": "p"}}}
}
