package vigil.container.security_options_unset_test

import data.vigil.container.security_options_unset

_fact(extra) := {"kind": "container", "container": object.union(
	{"name": "web", "selinux_options": [], "no_new_privileges": false, "seccomp_profile": "default", "apparmor_profile": "", "privileged": false},
	extra,
)}

test_no_options_denied if {
	security_options_unset.deny == {"container \"web\" runs with no security options (no SELinux label, seccomp or AppArmor profile of its own, no no-new-privileges)"} with input as _fact({})
	count(security_options_unset.deny) == 1 with input as _fact({"apparmor_profile": "docker-default"})
	count(security_options_unset.deny) == 1 with input as _fact({"privileged": true, "seccomp_profile": "unconfined", "apparmor_profile": "unconfined"})
}

test_any_option_allowed if {
	count(security_options_unset.deny) == 0 with input as _fact({"selinux_options": ["label=type:svirt_apache_t"]})
	count(security_options_unset.deny) == 0 with input as _fact({"no_new_privileges": true})
	count(security_options_unset.deny) == 0 with input as _fact({"seccomp_profile": "custom"})
	count(security_options_unset.deny) == 0 with input as _fact({"seccomp_profile": "unconfined"})
	count(security_options_unset.deny) == 0 with input as _fact({"apparmor_profile": "my-profile"})
}

test_kubernetes_left_to_pod_security if {
	count(security_options_unset.deny) == 0 with input as _fact({"kubernetes": {"pod": "p"}})
}
