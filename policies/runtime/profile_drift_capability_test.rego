package vigil.runtime.profile_drift_capability_test

import data.vigil.runtime.profile_drift_capability

_profile := {
	"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing",
	"executables": {"/bin/busybox": true},
	"capabilities": {"CHOWN": true, "NET_BIND_SERVICE": true},
}

_profiles := {"compose:shop/web": _profile}

_web := {"id": "c0ffee", "host": false, "name": "web-1", "image": "shop/web:1", "workload": "compose:shop/web"}

_fact(container, caps) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 42, "comm": "sh", "exe": "/bin/busybox", "uid": 0, "capabilities": caps},
	"container": object.union(_web, container),
}}

test_each_new_capability_denied if {
	r := profile_drift_capability.deny with input as _fact({}, ["CHOWN", "SYS_ADMIN", "NET_RAW", "NET_BIND_SERVICE"])
		with data.vigil.profiles as _profiles
	count(r) == 2
	r == {
		"container \"web-1\" (workload compose:shop/web) ran /bin/busybox (pid 42) with capability SYS_ADMIN, not in its learned profile (version 7)",
		"container \"web-1\" (workload compose:shop/web) ran /bin/busybox (pid 42) with capability NET_RAW, not in its learned profile (version 7)",
	}
}

test_known_capabilities_allowed if {
	count(profile_drift_capability.deny) == 0 with input as _fact({}, ["CHOWN", "NET_BIND_SERVICE"])
		with data.vigil.profiles as _profiles
	count(profile_drift_capability.deny) == 0 with input as _fact({}, []) with data.vigil.profiles as _profiles
}

test_learning_profile_allowed if {
	count(profile_drift_capability.deny) == 0 with input as _fact({}, ["SYS_ADMIN"])
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"state": "learning"})}
}

test_hand_written_profile_allowed if {
	count(profile_drift_capability.deny) == 0 with input as _fact({}, ["SYS_ADMIN"])
		with data.vigil.profiles as {"compose:shop/web": {"outbound_ports": [443]}}
}

test_host_process_allowed if {
	count(profile_drift_capability.deny) == 0 with input as _fact({"host": true}, ["SYS_ADMIN"])
		with data.vigil.profiles as _profiles
}

test_profile_without_section_allowed if {
	count(profile_drift_capability.deny) == 0 with input as _fact({}, ["SYS_ADMIN"])
		with data.vigil.profiles as {"compose:shop/web": object.remove(_profile, ["capabilities"])}
}
