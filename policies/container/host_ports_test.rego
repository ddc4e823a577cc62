package vigil.container.host_ports_test

import data.vigil.container.host_ports

test_host_port_denied if {
	r := host_ports.deny with input as {"kind": "container", "container": {"name": "ingress", "kubernetes": {"namespace": "edge"}, "ports": [
		{"container_port": 443, "protocol": "TCP", "host_ip": "", "host_port": 443},
		{"container_port": 8080, "protocol": "TCP", "host_ip": "", "host_port": 0},
	]}}
	r == {"container \"ingress\" uses host port 443 for container port 443/TCP"}
}

test_allowlisted_port_allowed if {
	r := host_ports.deny with input as {"kind": "container", "container": {"name": "ingress", "kubernetes": {"namespace": "edge"}, "ports": [
		{"container_port": 443, "protocol": "TCP", "host_ip": "", "host_port": 443},
	]}}
		with data.vigil.config.allowed_host_ports as [443]
	count(r) == 0
}

test_docker_published_port_allowed if {
	r := host_ports.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null, "ports": [
		{"container_port": 80, "protocol": "tcp", "host_ip": "", "host_port": 8080},
	]}}
	count(r) == 0
}
