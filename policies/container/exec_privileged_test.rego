package vigil.container.exec_privileged_test

import data.vigil.container.exec_privileged

test_privileged_exec_denied if {
	r := exec_privileged.deny with input as {"kind": "container", "container": {"name": "web", "exec_privileged": true, "exec_command": ["sh", "-c", "id"]}}
	r == {"privileged exec in container \"web\": sh -c id"}
}

test_plain_exec_allowed if {
	r := exec_privileged.deny with input as {"kind": "container", "container": {"name": "web", "exec_privileged": false, "exec_command": ["sh"]}}
	count(r) == 0
}
