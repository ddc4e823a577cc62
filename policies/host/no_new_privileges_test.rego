package vigil.host.no_new_privileges_test

import data.vigil.host.no_new_privileges

test_no_new_privileges_denied if {
	r := no_new_privileges.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"no_new_privileges": false}}}
	r == {"host \"node-1\": Docker daemon does not set no-new-privileges for containers by default"}
}

test_no_new_privileges_allowed if {
	r := no_new_privileges.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"no_new_privileges": true}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := no_new_privileges.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
