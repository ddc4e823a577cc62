package vigil.container.run_as_root_user_test

import data.vigil.container.run_as_root_user

test_uid_zero_denied if {
	r := run_as_root_user.deny with input as {"kind": "container", "container": {"name": "web", "user": "", "run_as_uid": 0}}
	r == {"container \"web\" runs as root (uid 0)"}
}

test_root_name_denied if {
	r := run_as_root_user.deny with input as {"kind": "container", "container": {"name": "web", "user": "root"}}
	r == {"container \"web\" runs as root (uid 0)"}
}

test_non_root_allowed if {
	r := run_as_root_user.deny with input as {"kind": "container", "container": {"name": "web", "user": "1000"}}
	count(r) == 0
}

test_unknown_allowed if {
	r := run_as_root_user.deny with input as {"kind": "container", "container": {"name": "web", "user": "nginx"}}
	count(r) == 0
}
