package vigil.runtime.profile_drift_uid_test

import data.vigil.runtime.profile_drift_uid

_profile := {
	"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing",
	"executables": {"/bin/busybox": true},
	"uids": {"0": true, "33": true},
}

_profiles := {"compose:shop/web": _profile}

_web := {"id": "c0ffee", "host": false, "name": "web-1", "image": "shop/web:1", "workload": "compose:shop/web"}

_fact(container, uid) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 42, "comm": "sh", "exe": "/bin/busybox", "uid": uid, "euid": uid, "capabilities": []},
	"container": object.union(_web, container),
}}

test_new_uid_denied if {
	r := profile_drift_uid.deny with input as _fact({}, 1000) with data.vigil.profiles as _profiles
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) ran /bin/busybox (pid 42) as uid 1000, not in its learned profile (version 7)"}
}

test_known_uid_allowed if {
	count(profile_drift_uid.deny) == 0 with input as _fact({}, 0) with data.vigil.profiles as _profiles
	count(profile_drift_uid.deny) == 0 with input as _fact({}, 33) with data.vigil.profiles as _profiles
}

test_root_new_to_profile_denied if {
	r := profile_drift_uid.deny with input as _fact({}, 0)
		with data.vigil.profiles as {"compose:shop/web": object.union(object.remove(_profile, ["uids"]), {"uids": {"33": true}})}
	r == {"container \"web-1\" (workload compose:shop/web) ran /bin/busybox (pid 42) as uid 0, not in its learned profile (version 7)"}
}

test_learning_profile_allowed if {
	count(profile_drift_uid.deny) == 0 with input as _fact({}, 1000)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"state": "learning"})}
}

test_hand_written_profile_allowed if {
	count(profile_drift_uid.deny) == 0 with input as _fact({}, 1000)
		with data.vigil.profiles as {"compose:shop/web": {"outbound_ports": [443]}}
}

test_host_process_allowed if {
	count(profile_drift_uid.deny) == 0 with input as _fact({"host": true}, 1000) with data.vigil.profiles as _profiles
}

test_profile_without_section_allowed if {
	count(profile_drift_uid.deny) == 0 with input as _fact({}, 1000)
		with data.vigil.profiles as {"compose:shop/web": object.remove(_profile, ["uids"])}
}
