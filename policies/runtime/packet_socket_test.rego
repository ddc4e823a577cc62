package vigil.runtime.packet_socket_test

import data.vigil.runtime.packet_socket

_fact(comm, protocol, family) := {"kind": "network_connection", "network_connection": {
	"direction": "socket", "protocol": protocol, "family": family,
	"process": {"pid": 31, "comm": comm, "exe": concat("", ["/usr/bin/", comm]), "args": [comm]},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_packet_socket_denied if {
	r := packet_socket.deny with input as _fact("tcpdump", "packet", "packet")
	count(r) == 1
	r == {"/usr/bin/tcpdump (pid 31) in container \"web\" opened a packet socket (packet)"}
}

test_raw_inet_socket_denied if {
	r := packet_socket.deny with input as _fact("scapy", "raw", "inet")
	r == {"/usr/bin/scapy (pid 31) in container \"web\" opened a raw socket (inet)"}
}

test_ping_allowed if {
	count(packet_socket.deny) == 0 with input as _fact("ping", "raw", "inet")
}

test_connect_allowed if {
	f := json.patch(_fact("curl", "tcp", "inet"), [{"op": "replace", "path": "/network_connection/direction", "value": "outbound"}])
	count(packet_socket.deny) == 0 with input as f
}

test_listed_exe_allowed if {
	r := packet_socket.deny with input as _fact("tcpdump", "packet", "packet")
		with data.vigil.config.runtime_raw_socket_allowed_exes as ["tcpdump"]
	count(r) == 0
}
