package vigil.host.live_restore_test

import data.vigil.host.live_restore

test_live_restore_denied if {
	r := live_restore.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"live_restore": false}}}
	r == {"host \"node-1\": Docker daemon does not keep containers running when it stops (live-restore)"}
}

test_live_restore_allowed if {
	r := live_restore.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"live_restore": true}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := live_restore.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
