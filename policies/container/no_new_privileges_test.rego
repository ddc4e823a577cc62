package vigil.container.no_new_privileges_test

import data.vigil.container.no_new_privileges

test_missing_denied if {
	r := no_new_privileges.deny with input as {"kind": "container", "container": {"name": "web", "no_new_privileges": false}}
	r == {"container \"web\" can gain new privileges (no-new-privileges is not set)"}
}

test_set_allowed if {
	r := no_new_privileges.deny with input as {"kind": "container", "container": {"name": "web", "no_new_privileges": true}}
	count(r) == 0
}

test_other_kind_allowed if {
	r := no_new_privileges.deny with input as {"kind": "host", "host": {"hostname": "h"}}
	count(r) == 0
}
