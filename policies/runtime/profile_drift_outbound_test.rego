package vigil.runtime.profile_drift_outbound_test

import data.vigil.runtime.profile_drift_outbound

_profile := {
	"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing",
	"listen_ports": {"tcp/80": true},
	"peers": {"tcp/172.18.0.3:80": true, "udp/10.0.0.2:53": true},
}

_profiles := {"compose:shop/web": _profile}

_web := {"id": "c0ffee", "host": false, "name": "web-1", "image": "shop/web:1", "workload": "compose:shop/web"}

_fact(container, direction, protocol, address, port) := {"kind": "network_connection", "network_connection": {
	"direction": direction, "protocol": protocol, "local_address": "172.18.0.2", "local_port": 40000,
	"remote_address": address, "remote_port": port,
	"process": {"pid": 42, "comm": "wget", "exe": "/usr/bin/wget"},
	"container": object.union(_web, container),
}}

test_new_peer_denied if {
	r := profile_drift_outbound.deny with input as _fact({}, "outbound", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as _profiles
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) connected to tcp/198.51.100.7:443 (/usr/bin/wget, pid 42), not in its learned profile (version 7)"}
}

test_known_address_other_port_or_protocol_denied if {
	profile_drift_outbound.deny == {"container \"web-1\" (workload compose:shop/web) connected to tcp/172.18.0.3:8080 (/usr/bin/wget, pid 42), not in its learned profile (version 7)"} with input as _fact({}, "outbound", "tcp", "172.18.0.3", 8080)
		with data.vigil.profiles as _profiles
	profile_drift_outbound.deny == {"container \"web-1\" (workload compose:shop/web) connected to udp/172.18.0.3:80 (/usr/bin/wget, pid 42), not in its learned profile (version 7)"} with input as _fact({}, "outbound", "udp", "172.18.0.3", 80)
		with data.vigil.profiles as _profiles
}

test_known_peer_allowed if {
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "outbound", "tcp", "172.18.0.3", 80)
		with data.vigil.profiles as _profiles
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "outbound", "udp", "10.0.0.2", 53)
		with data.vigil.profiles as _profiles
}

test_other_direction_allowed if {
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "inbound", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as _profiles
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "listen", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as _profiles
}

test_learning_profile_allowed if {
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "outbound", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"state": "learning"})}
}

test_hand_written_profile_allowed if {
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "outbound", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as {"compose:shop/web": {"outbound_ports": [80]}}
}

test_host_process_allowed if {
	count(profile_drift_outbound.deny) == 0 with input as _fact({"host": true}, "outbound", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as _profiles
}

test_profile_without_section_allowed if {
	count(profile_drift_outbound.deny) == 0 with input as _fact({}, "outbound", "tcp", "198.51.100.7", 443)
		with data.vigil.profiles as {"compose:shop/web": object.remove(_profile, ["peers"])}
}

test_peer_known_by_workload if {
	profiles := {"compose:shop/web": object.union(_profile, {"peers": {"tcp/compose:shop/db:5432": true}})}
	db := object.union(_fact({}, "outbound", "tcp", "172.18.0.9", 5432), {"network_connection": {"remote_workload": "compose:shop/db"}})
	count(profile_drift_outbound.deny) == 0 with input as db with data.vigil.profiles as profiles
	other := object.union(_fact({}, "outbound", "tcp", "172.18.0.9", 5432), {"network_connection": {"remote_workload": "compose:shop/cache"}})
	profile_drift_outbound.deny == {"container \"web-1\" (workload compose:shop/web) connected to tcp/compose:shop/cache:5432 (/usr/bin/wget, pid 42), not in its learned profile (version 7)"} with input as other
		with data.vigil.profiles as profiles
}
