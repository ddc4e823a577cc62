package vigil.container.hardening_not_applied_test

import data.vigil.container.hardening_not_applied

_profiles := {"compose:shop/web": {"learned": true, "workload": "compose:shop/web", "version": 4, "state": "enforcing"}}

_fact(extra) := {"kind": "container", "container": object.union(
	{"name": "shop-web-1", "workload": "compose:shop/web", "seccomp_profile": "default", "apparmor_profile": ""},
	extra,
)}

test_default_seccomp_with_enforcing_profile_denied if {
	r := hardening_not_applied.deny with input as _fact({}) with data.vigil.profiles as _profiles
	r == {"container \"shop-web-1\" runs workload compose:shop/web, whose learned profile (version 4) can generate its seccomp hardening, without it: vigil profile export compose:shop/web --format compose"}
}

test_docker_default_apparmor_also_named if {
	r := hardening_not_applied.deny with input as _fact({"apparmor_profile": "docker-default"}) with data.vigil.profiles as _profiles
	count(r) == 1
	some msg in r
	contains(msg, "seccomp and AppArmor hardening")
}

test_custom_seccomp_on_host_without_apparmor_allowed if {
	count(hardening_not_applied.deny) == 0 with input as _fact({"seccomp_profile": "custom"}) with data.vigil.profiles as _profiles
}

test_custom_seccomp_and_apparmor_allowed if {
	count(hardening_not_applied.deny) == 0 with input as _fact({"seccomp_profile": "custom", "apparmor_profile": "vigil-compose-shop-web"})
		with data.vigil.profiles as _profiles
}

test_learning_profile_allowed if {
	profiles := {"compose:shop/web": object.union(_profiles["compose:shop/web"], {"state": "learning"})}
	count(hardening_not_applied.deny) == 0 with input as _fact({}) with data.vigil.profiles as profiles
}

test_no_profile_or_hand_written_allowed if {
	count(hardening_not_applied.deny) == 0 with input as _fact({}) with data.vigil.profiles as {}
	count(hardening_not_applied.deny) == 0 with input as _fact({}) with data.vigil.profiles as {"compose:shop/web": {"outbound_ports": [80]}}
	count(hardening_not_applied.deny) == 0 with input as _fact({"workload": ""}) with data.vigil.profiles as _profiles
}

test_image_workload_suggests_seccomp if {
	profiles := {"image:nginx": object.union(_profiles["compose:shop/web"], {"workload": "image:nginx"})}
	r := hardening_not_applied.deny with input as _fact({"workload": "image:nginx"}) with data.vigil.profiles as profiles
	some msg in r
	endswith(msg, "--format seccomp")
}
