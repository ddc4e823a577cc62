package vigil.host.log_level_test

import data.vigil.host.log_level

test_log_level_denied if {
	r := log_level.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"log_level": "debug"}}}
	r == {"host \"node-1\": Docker daemon log level is \"debug\", not info"}
}

test_log_level_allowed if {
	r := log_level.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"log_level": "info"}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := log_level.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
