package vigil.host.userland_proxy_test

import data.vigil.host.userland_proxy

test_userland_proxy_denied if {
	r := userland_proxy.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"userland_proxy": true}}}
	r == {"host \"node-1\": Docker daemon uses the userland proxy for published ports"}
}

test_userland_proxy_allowed if {
	r := userland_proxy.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"userland_proxy": false}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := userland_proxy.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
