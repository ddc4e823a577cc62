package vigil.host.authorization_plugin_test

import data.vigil.host.authorization_plugin

test_authorization_plugin_denied if {
	r := authorization_plugin.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"authorization_plugins": []}}}
	r == {"host \"node-1\": Docker daemon has no authorization plugin"}
}

test_authorization_plugin_allowed if {
	r := authorization_plugin.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"authorization_plugins": ["opa-docker-authz"]}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := authorization_plugin.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
