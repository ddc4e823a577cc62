package vigil.container.selinux_options_test

import data.vigil.container.selinux_options

test_spc_t_denied if {
	r := selinux_options.deny with input as {"kind": "container", "container": {"name": "web", "selinux_options": ["label=type:spc_t", "label=level:s0:c100,c200"]}}
	r == {"container \"web\" sets SELinux type \"spc_t\""}
}

test_disable_denied if {
	r := selinux_options.deny with input as {"kind": "container", "container": {"name": "web", "selinux_options": ["label=disable"]}}
	r == {"container \"web\" disables SELinux labelling"}
}

test_user_and_role_denied if {
	r := selinux_options.deny with input as {"kind": "container", "container": {"name": "web", "selinux_options": ["user:system_u", "label:role:system_r"]}}
	r == {
		"container \"web\" sets SELinux user \"system_u\"",
		"container \"web\" sets SELinux role \"system_r\"",
	}
}

test_container_t_and_level_allowed if {
	r := selinux_options.deny with input as {"kind": "container", "container": {"name": "web", "selinux_options": ["label=type:container_t", "label=level:s0:c1,c2"]}}
	count(r) == 0
}

test_none_allowed if {
	r := selinux_options.deny with input as {"kind": "container", "container": {"name": "web", "selinux_options": []}}
	count(r) == 0
}
