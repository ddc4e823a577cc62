package vigil.host.experimental_test

import data.vigil.host.experimental

test_experimental_denied if {
	r := experimental.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"experimental": true}}}
	r == {"host \"node-1\": Docker daemon runs with experimental features enabled"}
}

test_experimental_allowed if {
	r := experimental.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"experimental": false}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := experimental.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
