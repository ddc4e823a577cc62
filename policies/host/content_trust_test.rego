package vigil.host.content_trust_test

import data.vigil.host.content_trust

test_unset_denied if {
	content_trust.deny == {"host \"node-1\": Docker Content Trust is not enabled for its users (DOCKER_CONTENT_TRUST=\"\")"} with input as {"kind": "host", "host": {"hostname": "node-1", "content_trust": ""}}
	count(content_trust.deny) == 1 with input as {"kind": "host", "host": {"hostname": "node-1", "content_trust": "0"}}
}

test_no_docker_allowed if {
	count(content_trust.deny) == 0 with input as {"kind": "host", "host": {"hostname": "node-1", "content_trust": "", "docker_absent": true}}
}

test_enabled_allowed if {
	count(content_trust.deny) == 0 with input as {"kind": "host", "host": {"hostname": "node-1", "content_trust": "1"}}
}
