package vigil.runtime.unexpected_outbound_test

import data.vigil.runtime.unexpected_outbound

_profiles := {"shop/api": {"outbound_ports": [53, 443, 5432], "outbound_networks": ["10.0.0.0/8", "203.0.113.7"]}}

_fact(container, address, port) := {"kind": "network_connection", "network_connection": {
	"direction": "outbound", "protocol": "tcp", "remote_address": address, "remote_port": port,
	"process": {"pid": 2300, "comm": "python3", "exe": "/usr/local/bin/python3"},
	"container": object.union({"id": "c0ffee", "host": false}, container),
}}

_api := {"name": "api-1", "image": "registry.example.com:5000/shop/api:2.1@sha256:abc"}

test_port_and_address_outside_profile_denied if {
	r := unexpected_outbound.deny with input as _fact({"name": "api-1", "image": "shop/api:2"}, "198.51.100.23", 4444)
		with data.vigil.profiles as _profiles
	count(r) == 2
	r == {
		"container \"api-1\" connected to 198.51.100.23:4444 (tcp by /usr/local/bin/python3); port 4444 is not in its profile",
		"container \"api-1\" connected to 198.51.100.23:4444 (tcp by /usr/local/bin/python3); address 198.51.100.23 is not in its profile",
	}
}

test_profile_by_container_name_denied if {
	r := unexpected_outbound.deny with input as _fact({"name": "/billing", "image": "x:1"}, "10.1.2.3", 25)
		with data.vigil.profiles as {"billing": {"outbound_ports": [443]}}
	r == {"container \"billing\" connected to 10.1.2.3:25 (tcp by /usr/local/bin/python3); port 25 is not in its profile"}
}

test_profile_by_image_reference_denied if {
	r := unexpected_outbound.deny with input as _fact({"name": "w", "image": "nginx:1.27"}, "10.1.2.3", 25)
		with data.vigil.profiles as {"nginx:1.27": {"outbound_ports": []}}
	count(r) == 1
	r == {"container \"w\" connected to 10.1.2.3:25 (tcp by /usr/local/bin/python3); port 25 is not in its profile"}
}

test_inside_profile_allowed if {
	r := unexpected_outbound.deny with input as _fact({"name": "api-1", "image": "shop/api:2"}, "10.20.30.40", 5432)
		with data.vigil.profiles as _profiles
	count(r) == 0
	count(unexpected_outbound.deny) == 0 with input as _fact({"name": "api-1", "image": "shop/api:2"}, "::ffff:203.0.113.7", 443)
		with data.vigil.profiles as _profiles
}

test_registry_with_port_repository_allowed if {
	r := unexpected_outbound.deny with input as _fact(_api, "10.0.0.1", 443)
		with data.vigil.profiles as {"registry.example.com:5000/shop/api": {"outbound_ports": [443]}}
	count(r) == 0
}

test_no_profile_allowed if {
	count(unexpected_outbound.deny) == 0 with input as _fact({"name": "other", "image": "other:1"}, "198.51.100.23", 4444)
		with data.vigil.profiles as _profiles
}

test_loopback_allowed if {
	count(unexpected_outbound.deny) == 0 with input as _fact({"name": "api-1", "image": "shop/api:2"}, "127.0.0.1", 9000)
		with data.vigil.profiles as _profiles
	count(unexpected_outbound.deny) == 0 with input as _fact({"name": "api-1", "image": "shop/api:2"}, "::1", 9000)
		with data.vigil.profiles as _profiles
}

test_cidr_boundaries if {
	r := unexpected_outbound.deny with input as _fact({"name": "api-1", "image": "shop/api:2"}, "11.0.0.1", 443)
		with data.vigil.profiles as _profiles
	r == {"container \"api-1\" connected to 11.0.0.1:443 (tcp by /usr/local/bin/python3); address 11.0.0.1 is not in its profile"}
	count(unexpected_outbound.deny) == 1 with input as _fact({"name": "api-1", "image": "shop/api:2"}, "2001:db8::1", 443)
		with data.vigil.profiles as _profiles
}

test_learned_profile_ignored_allowed if {
	learned := {"learned": true, "state": "enforcing", "version": 3, "peers": {"tcp/198.51.100.23:4444": true}}
	count(unexpected_outbound.deny) == 0 with input as _fact({"name": "api-1", "image": "shop/api:2"}, "198.51.100.23", 4444)
		with data.vigil.profiles as {"shop/api": learned}
	r := unexpected_outbound.deny with input as _fact({"name": "api-1", "image": "shop/api:2"}, "198.51.100.23", 4444)
		with data.vigil.profiles as object.union(_profiles, {"api-1": learned})
	count(r) == 2
}
