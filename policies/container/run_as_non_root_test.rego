package vigil.container.run_as_non_root_test

import data.vigil.container.run_as_non_root

test_explicit_false_denied if {
	r := run_as_non_root.deny with input as {"kind": "container", "container": {"name": "api", "run_as_non_root": false, "run_as_uid": 1000, "user": "1000"}}
	r == {"container \"api\" sets runAsNonRoot to false"}
}

test_image_default_user_denied if {
	r := run_as_non_root.deny with input as {"kind": "container", "container": {"name": "web", "user": ""}}
	r == {"container \"web\" is not required to run as non-root (no runAsNonRoot and no non-zero user)"}
}

test_root_user_denied if {
	r := run_as_non_root.deny with input as {"kind": "container", "container": {"name": "web", "user": "root"}}
	r == {"container \"web\" is not required to run as non-root (no runAsNonRoot and no non-zero user)"}
}

test_run_as_non_root_allowed if {
	r := run_as_non_root.deny with input as {"kind": "container", "container": {"name": "api", "run_as_non_root": true, "user": ""}}
	count(r) == 0
}

test_non_zero_uid_allowed if {
	r := run_as_non_root.deny with input as {"kind": "container", "container": {"name": "web", "user": "1000:1000"}}
	count(r) == 0
}

test_resolved_uid_allowed if {
	r := run_as_non_root.deny with input as {"kind": "container", "container": {"name": "web", "user": "", "run_as_uid": 101}}
	count(r) == 0
}
