package vigil.host.insecure_registries_test

import data.vigil.host.insecure_registries

test_insecure_registries_denied if {
	r := insecure_registries.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"insecure_registries": ["127.0.0.0/8", "registry.local:5000"]}}}
	r == {"host \"node-1\": Docker daemon trusts insecure registry \"registry.local:5000\""}
}

test_insecure_registries_allowed if {
	r := insecure_registries.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"insecure_registries": ["127.0.0.0/8", "::1/128"]}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := insecure_registries.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
