package vigil.runtime.unexposed_listen_test

import data.vigil.runtime.unexposed_listen

_listen(port, protocol, exposed) := {
	"kind": "network_connection",
	"network_connection": {
		"direction": "listen", "local_port": port, "protocol": protocol,
		"process": {"pid": 31, "exe": "/bin/nc", "comm": "nc"},
		"container": {"id": "c0ffee", "name": "web", "image": "shop/web:2", "host": false},
	},
	"context": {"image": {"id": "sha256:ab", "config": {"exposed_ports": exposed}}},
}

test_unexposed_port_denied if {
	r := unexposed_listen.deny with input as _listen(4444, "tcp", ["8080/tcp"])
	r == {"/bin/nc (pid 31) in container \"web\" listens on 4444/tcp, which its image does not expose (it exposes 8080/tcp)"}
}

test_exposed_port_allowed if {
	count(unexposed_listen.deny) == 0 with input as _listen(8080, "TCP", ["8080/tcp", "8443/tcp"])
}

test_image_exposing_nothing_allowed if {
	count(unexposed_listen.deny) == 0 with input as _listen(4444, "tcp", [])
}

test_udp_is_not_tcp_denied if {
	unexposed_listen.deny == {"/bin/nc (pid 31) in container \"web\" listens on 8080/udp, which its image does not expose (it exposes 8080/tcp)"} with input as _listen(8080, "udp", ["8080/tcp"])
}

test_no_image_context_allowed if {
	i := json.patch(_listen(4444, "tcp", ["80/tcp"]), [{"op": "replace", "path": "/context", "value": {"missing": ["image"]}}])
	count(unexposed_listen.deny) == 0 with input as i
}
