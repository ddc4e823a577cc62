package vigil.runtime.profile_drift_exec_test

import data.vigil.runtime.profile_drift_exec

_profile := {
	"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing",
	"executables": {"/bin/busybox": true, "/usr/sbin/httpd": true},
	"exec_edges": {"/bin/sh>/bin/busybox": true},
	"uids": {"0": true, "33": true},
	"capabilities": {"CHOWN": true, "NET_BIND_SERVICE": true},
}

_profiles := {"compose:shop/web": _profile}

_web := {"id": "c0ffee", "host": false, "name": "web-1", "image": "shop/web:1", "workload": "compose:shop/web"}

_fact(container, exe) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 42, "comm": "wget", "exe": exe, "uid": 33, "capabilities": ["CHOWN"]},
	"container": object.union(_web, container),
}}

test_new_executable_denied if {
	r := profile_drift_exec.deny with input as _fact({}, "/usr/bin/wget") with data.vigil.profiles as _profiles
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) executed /usr/bin/wget (pid 42), not in its learned profile (version 7)"}
}

test_container_named_by_id_denied if {
	r := profile_drift_exec.deny with input as _fact({"name": ""}, "/tmp/x") with data.vigil.profiles as _profiles
	r == {"container \"c0ffee\" (workload compose:shop/web) executed /tmp/x (pid 42), not in its learned profile (version 7)"}
}

test_empty_section_denied if {
	r := profile_drift_exec.deny with input as _fact({}, "/usr/sbin/httpd")
		with data.vigil.profiles as {"compose:shop/web": object.union(object.remove(_profile, ["executables"]), {"executables": {}})}
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) executed /usr/sbin/httpd (pid 42), not in its learned profile (version 7)"}
}

test_known_executable_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/usr/sbin/httpd") with data.vigil.profiles as _profiles
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/bin/busybox") with data.vigil.profiles as _profiles
}

test_learning_profile_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/usr/bin/wget")
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"state": "learning"})}
}

test_hand_written_profile_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/usr/bin/wget")
		with data.vigil.profiles as {"compose:shop/web": {"outbound_ports": [443]}, "web-1": {"listen_ports": [80]}, "shop/web": {"outbound_ports": []}}
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/usr/bin/wget")
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"learned": false})}
}

test_host_process_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({"host": true}, "/usr/bin/wget") with data.vigil.profiles as _profiles
	count(profile_drift_exec.deny) == 0 with input as _fact({"id": ""}, "/usr/bin/wget") with data.vigil.profiles as _profiles
}

test_no_workload_or_profile_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({"workload": ""}, "/usr/bin/wget")
		with data.vigil.profiles as {"": _profile}
	count(profile_drift_exec.deny) == 0 with input as _fact({"workload": "compose:shop/api"}, "/usr/bin/wget")
		with data.vigil.profiles as _profiles
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/usr/bin/wget")
}

test_profile_without_section_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "/usr/bin/wget")
		with data.vigil.profiles as {"compose:shop/web": object.remove(_profile, ["executables"])}
}

test_unknown_exe_allowed if {
	count(profile_drift_exec.deny) == 0 with input as _fact({}, "") with data.vigil.profiles as _profiles
}
