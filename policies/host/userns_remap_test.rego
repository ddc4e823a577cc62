package vigil.host.userns_remap_test

import data.vigil.host.userns_remap

test_userns_remap_denied if {
	r := userns_remap.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"userns_remap": ""}}}
	r == {"host \"node-1\": Docker daemon does not remap container users (userns-remap)"}
}

test_userns_remap_allowed if {
	r := userns_remap.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"userns_remap": "default"}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := userns_remap.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
