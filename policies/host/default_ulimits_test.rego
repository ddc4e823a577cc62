package vigil.host.default_ulimits_test

import data.vigil.host.default_ulimits

test_default_ulimits_denied if {
	r := default_ulimits.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"default_ulimits": []}}}
	r == {"host \"node-1\": Docker daemon sets no default ulimits"}
}

test_default_ulimits_allowed if {
	r := default_ulimits.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"default_ulimits": [{"name": "nofile", "soft": 1024, "hard": 4096}]}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := default_ulimits.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
