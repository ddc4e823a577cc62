package vigil.host.iptables_test

import data.vigil.host.iptables

test_iptables_denied if {
	r := iptables.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"iptables": false}}}
	r == {"host \"node-1\": Docker is not allowed to manage iptables"}
}

test_iptables_allowed if {
	r := iptables.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"iptables": true}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := iptables.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
