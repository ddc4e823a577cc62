package vigil.runtime.miner_pool_port_test

import data.vigil.runtime.miner_pool_port

_fact(port) := {"kind": "network_connection", "network_connection": {
	"direction": "outbound", "protocol": "tcp", "remote_address": "198.51.100.77", "remote_port": port,
	"process": {"pid": 2600, "comm": "kworker", "exe": "/tmp/kworker"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_pool_port_denied if {
	r := miner_pool_port.deny with input as _fact(3333) with data.vigil.profiles as {}
	count(r) == 1
	r == {"/tmp/kworker (pid 2600) in container \"web\" connected to 198.51.100.77:3333, a common mining pool port"}
}

test_profile_allowed_port_allowed if {
	count(miner_pool_port.deny) == 0 with input as _fact(5555)
		with data.vigil.profiles as {"nginx": {"outbound_ports": [5555]}}
}

test_profile_without_port_denied if {
	miner_pool_port.deny == {"/tmp/kworker (pid 2600) in container \"web\" connected to 198.51.100.77:5555, a common mining pool port"} with input as _fact(5555)
		with data.vigil.profiles as {"web": {"outbound_ports": [443]}}
}

test_other_port_allowed if {
	count(miner_pool_port.deny) == 0 with input as _fact(443)
}

test_learned_profile_ignored_denied if {
	# A learned profile lists peers, not outbound_ports: it does not waive the port.
	learned := {"learned": true, "state": "enforcing", "version": 3, "peers": {"tcp/198.51.100.77:3333": true}}
	miner_pool_port.deny == {"/tmp/kworker (pid 2600) in container \"web\" connected to 198.51.100.77:3333, a common mining pool port"} with input as _fact(3333) with data.vigil.profiles as {"web": learned}
}
