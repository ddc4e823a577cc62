package vigil.container.seccomp_unconfined_test

import data.vigil.container.seccomp_unconfined

test_unconfined_denied if {
	r := seccomp_unconfined.deny with input as {"kind": "container", "container": {"name": "web", "seccomp_profile": "Unconfined"}}
	r == {"container \"web\" runs without a seccomp profile (unconfined)"}
}

test_default_allowed if {
	r := seccomp_unconfined.deny with input as {"kind": "container", "container": {"name": "web", "seccomp_profile": "default"}}
	count(r) == 0
}

test_custom_profile_allowed if {
	r := seccomp_unconfined.deny with input as {"kind": "container", "container": {"name": "web", "seccomp_profile": "/etc/docker/seccomp/web.json"}}
	count(r) == 0
}
