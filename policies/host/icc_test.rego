package vigil.host.icc_test

import data.vigil.host.icc

test_icc_denied if {
	r := icc.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"icc": true}}}
	r == {"host \"node-1\": inter-container communication on the default bridge is enabled (icc)"}
}

test_icc_allowed if {
	r := icc.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"icc": false}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := icc.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
