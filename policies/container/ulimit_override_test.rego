package vigil.container.ulimit_override_test

import data.vigil.container.ulimit_override

test_override_denied if {
	r := ulimit_override.deny with input as {"kind": "container", "container": {"name": "db", "ulimits": [
		{"name": "nproc", "soft": 1024, "hard": 2048},
		{"name": "nofile", "soft": 65536, "hard": 65536},
	]}}
	r == {"container \"db\" overrides the daemon's default ulimits: nofile, nproc"}
}

test_defaults_allowed if {
	r := ulimit_override.deny with input as {"kind": "container", "container": {"name": "db", "ulimits": []}}
	count(r) == 0
}
