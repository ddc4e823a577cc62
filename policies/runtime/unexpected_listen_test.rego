package vigil.runtime.unexpected_listen_test

import data.vigil.runtime.unexpected_listen

_fact(direction, port) := {"kind": "network_connection", "network_connection": {
	"direction": direction, "protocol": "tcp", "local_address": "0.0.0.0", "local_port": port,
	"process": {"pid": 2400, "comm": "nc", "exe": "/bin/nc"},
	"container": {"id": "c0ffee", "name": "api-1", "image": "shop/api:2"},
}}

_profiles := {"shop/api": {"listen_ports": [8080]}}

test_unlisted_port_denied if {
	r := unexpected_listen.deny with input as _fact("listen", 31337)
		with data.vigil.profiles as _profiles
	count(r) == 1
	r == {"/bin/nc (pid 2400) in container \"api-1\" listens on tcp port 31337, which is not in its profile"}
}

test_listed_port_allowed if {
	count(unexpected_listen.deny) == 0 with input as _fact("listen", 8080) with data.vigil.profiles as _profiles
}

test_profile_without_listen_ports_allowed if {
	count(unexpected_listen.deny) == 0 with input as _fact("listen", 31337)
		with data.vigil.profiles as {"shop/api": {"outbound_ports": [443]}}
}

test_no_profile_or_outbound_allowed if {
	count(unexpected_listen.deny) == 0 with input as _fact("listen", 31337) with data.vigil.profiles as {}
	count(unexpected_listen.deny) == 0 with input as _fact("outbound", 31337) with data.vigil.profiles as _profiles
}

test_learned_profile_ignored_allowed if {
	# A learned profile under a key this rule looks up (here via the vigil.dev/workload
	# label "shop/api") has listen_ports of another shape; the profile_drift rules judge it.
	learned := {"shop/api": {"learned": true, "state": "enforcing", "version": 3, "listen_ports": {"tcp/8080": true}}}
	count(unexpected_listen.deny) == 0 with input as _fact("listen", 8080) with data.vigil.profiles as learned
	count(unexpected_listen.deny) == 0 with input as _fact("listen", 31337) with data.vigil.profiles as learned
}
