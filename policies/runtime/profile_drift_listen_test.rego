package vigil.runtime.profile_drift_listen_test

import data.vigil.runtime.profile_drift_listen

_profile := {
	"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing",
	"listen_ports": {"tcp/80": true},
	"peers": {"tcp/172.18.0.3:80": true},
}

_profiles := {"compose:shop/web": _profile}

_web := {"id": "c0ffee", "host": false, "name": "web-1", "image": "shop/web:1", "workload": "compose:shop/web"}

_fact(container, direction, protocol, port) := {"kind": "network_connection", "network_connection": {
	"direction": direction, "protocol": protocol, "local_address": "0.0.0.0", "local_port": port,
	"remote_address": "", "remote_port": 0,
	"process": {"pid": 42, "comm": "nc", "exe": "/bin/busybox"},
	"container": object.union(_web, container),
}}

test_new_port_denied if {
	r := profile_drift_listen.deny with input as _fact({}, "listen", "tcp", 4444) with data.vigil.profiles as _profiles
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) listened on tcp/4444 (/bin/busybox, pid 42), not in its learned profile (version 7)"}
}

test_same_port_other_protocol_denied if {
	r := profile_drift_listen.deny with input as _fact({}, "listen", "udp", 80) with data.vigil.profiles as _profiles
	r == {"container \"web-1\" (workload compose:shop/web) listened on udp/80 (/bin/busybox, pid 42), not in its learned profile (version 7)"}
}

test_known_port_allowed if {
	count(profile_drift_listen.deny) == 0 with input as _fact({}, "listen", "tcp", 80) with data.vigil.profiles as _profiles
}

test_other_direction_allowed if {
	count(profile_drift_listen.deny) == 0 with input as _fact({}, "inbound", "tcp", 4444) with data.vigil.profiles as _profiles
	count(profile_drift_listen.deny) == 0 with input as _fact({}, "outbound", "tcp", 4444) with data.vigil.profiles as _profiles
}

test_learning_profile_allowed if {
	count(profile_drift_listen.deny) == 0 with input as _fact({}, "listen", "tcp", 4444)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"state": "learning"})}
}

test_hand_written_profile_allowed if {
	count(profile_drift_listen.deny) == 0 with input as _fact({}, "listen", "tcp", 4444)
		with data.vigil.profiles as {"compose:shop/web": {"listen_ports": [80]}}
}

test_host_process_allowed if {
	count(profile_drift_listen.deny) == 0 with input as _fact({"host": true}, "listen", "tcp", 4444)
		with data.vigil.profiles as _profiles
}

test_profile_without_section_allowed if {
	count(profile_drift_listen.deny) == 0 with input as _fact({}, "listen", "tcp", 4444)
		with data.vigil.profiles as {"compose:shop/web": object.remove(_profile, ["listen_ports"])}
}
