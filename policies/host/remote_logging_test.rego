package vigil.host.remote_logging_test

import data.vigil.host.remote_logging

test_remote_logging_denied if {
	r := remote_logging.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"log_driver": "json-file"}}}
	r == {"host \"node-1\": Docker daemon keeps container logs locally (log driver \"json-file\")"}
}

test_remote_logging_allowed if {
	r := remote_logging.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"log_driver": "syslog"}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := remote_logging.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
