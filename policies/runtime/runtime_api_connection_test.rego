package vigil.runtime.runtime_api_connection_test

import data.vigil.runtime.runtime_api_connection

_fact(direction, port) := {"kind": "network_connection", "network_connection": {
	"direction": direction, "protocol": "tcp", "remote_address": "172.17.0.1", "remote_port": port,
	"process": {"pid": 2200, "comm": "curl", "exe": "/usr/bin/curl"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_docker_api_denied if {
	r := runtime_api_connection.deny with input as _fact("outbound", 2375)
	count(r) == 1
	r == {"/usr/bin/curl (pid 2200) in container \"web\" connected to 172.17.0.1:2375, a container runtime or kubelet API port"}
}

test_kubelet_denied if {
	runtime_api_connection.deny == {"/usr/bin/curl (pid 2200) in container \"web\" connected to 172.17.0.1:10250, a container runtime or kubelet API port"} with input as _fact("outbound", 10250)
}

test_other_port_allowed if {
	count(runtime_api_connection.deny) == 0 with input as _fact("outbound", 443)
}

test_inbound_allowed if {
	count(runtime_api_connection.deny) == 0 with input as _fact("inbound", 2375)
}
