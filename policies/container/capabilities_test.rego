package vigil.container.capabilities_test

import data.vigil.container.capabilities

_default_caps := [
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]

test_sys_admin_denied if {
	r := capabilities.deny with input as {"kind": "container", "container": {
		"name": "web",
		"capabilities": array.concat(_default_caps, ["SYS_ADMIN", "CAP_NET_ADMIN"]),
		"cap_add": ["SYS_ADMIN", "NET_ADMIN"],
	}}
	r == {"container \"web\" has capabilities beyond Docker's default set: NET_ADMIN, SYS_ADMIN"}
}

test_cap_add_without_effective_set_denied if {
	r := capabilities.deny with input as {"kind": "container", "container": {
		"name": "web",
		"capabilities": [],
		"cap_add": ["sys_ptrace"],
	}}
	r == {"container \"web\" has capabilities beyond Docker's default set: SYS_PTRACE"}
}

test_default_set_allowed if {
	r := capabilities.deny with input as {"kind": "container", "container": {
		"name": "web",
		"capabilities": _default_caps,
		"cap_add": [],
	}}
	count(r) == 0
}

test_drop_all_allowed if {
	r := capabilities.deny with input as {"kind": "container", "container": {
		"name": "web",
		"capabilities": ["NET_BIND_SERVICE"],
		"cap_add": ["NET_BIND_SERVICE"],
		"cap_drop": ["ALL"],
	}}
	count(r) == 0
}

test_allowlisted_capability_allowed if {
	r := capabilities.deny with input as {"kind": "container", "container": {
		"name": "vpn",
		"capabilities": ["NET_ADMIN"],
		"cap_add": ["NET_ADMIN"],
	}}
		with data.vigil.config.allowed_capabilities as ["NET_ADMIN"]
	count(r) == 0
}

test_privileged_left_to_privileged_rule_allowed if {
	r := capabilities.deny with input as {"kind": "container", "container": {
		"name": "web",
		"privileged": true,
		"capabilities": ["SYS_ADMIN"],
		"cap_add": [],
	}}
	count(r) == 0
}
