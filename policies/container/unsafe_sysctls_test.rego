package vigil.container.unsafe_sysctls_test

import data.vigil.container.unsafe_sysctls

test_unsafe_denied if {
	r := unsafe_sysctls.deny with input as {"kind": "container", "container": {"name": "router", "sysctls": {
		"net.ipv4.ip_forward": "1",
		"net.ipv4.ip_unprivileged_port_start": "0",
	}}}
	r == {"container \"router\" sets sysctl net.ipv4.ip_forward=1, which is not in the safe set"}
}

test_safe_allowed if {
	r := unsafe_sysctls.deny with input as {"kind": "container", "container": {"name": "web", "sysctls": {"net.ipv4.tcp_syncookies": "1"}}}
	count(r) == 0
}

test_allowlist_from_data_allowed if {
	r := unsafe_sysctls.deny with input as {"kind": "container", "container": {"name": "router", "sysctls": {"net.ipv4.ip_forward": "1"}}}
		with data.vigil.config.allowed_sysctls as ["net.ipv4.ip_forward"]
	count(r) == 0
}
