package vigil.host.seccomp_unconfined_test

import data.vigil.host.seccomp_unconfined

test_seccomp_unconfined_denied if {
	r := seccomp_unconfined.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"seccomp_profile": "unconfined"}}}
	r == {"host \"node-1\": Docker daemon runs containers without seccomp by default (seccomp-profile unconfined)"}
}

test_seccomp_unconfined_allowed if {
	r := seccomp_unconfined.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"seccomp_profile": "default"}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := seccomp_unconfined.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
