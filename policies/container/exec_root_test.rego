package vigil.container.exec_root_test

import data.vigil.container.exec_root

test_root_exec_denied if {
	r := exec_root.deny with input as {"kind": "container", "container": {"name": "web", "exec_user": "0:0", "exec_command": ["apk", "add", "curl"]}}
	r == {"exec as root (user \"0:0\") in container \"web\": apk add curl"}
}

test_named_root_denied if {
	r := exec_root.deny with input as {"kind": "container", "container": {"name": "web", "exec_user": "root", "exec_command": ["sh"]}}
	r == {"exec as root (user \"root\") in container \"web\": sh"}
}

test_other_user_allowed if {
	r := exec_root.deny with input as {"kind": "container", "container": {"name": "web", "exec_user": "1000", "exec_command": ["sh"]}}
	count(r) == 0
}

test_no_exec_allowed if {
	r := exec_root.deny with input as {"kind": "container", "container": {"name": "web", "exec_user": "", "exec_command": []}}
	count(r) == 0
}
