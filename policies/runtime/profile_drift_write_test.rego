package vigil.runtime.profile_drift_write_test

import data.vigil.runtime.profile_drift_write

_profile := {
	"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing",
	"reads": {"/etc/passwd": true},
	"writes": {"/tmp/app-*": true, "/var/log/app.log": true, "/data/[x]": true},
}

_profiles := {"compose:shop/web": _profile}

_web := {"id": "c0ffee", "host": false, "name": "web-1", "image": "shop/web:1", "workload": "compose:shop/web"}

_fact(container, path, write) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "write": write, "read": true,
	"process": {"pid": 42, "comm": "sh", "exe": "/bin/busybox"},
	"container": object.union(_web, container),
}}

_denied(path) := r if {
	r := profile_drift_write.deny with input as _fact({}, path, true) with data.vigil.profiles as _profiles
}

test_new_path_denied if {
	r := _denied("/etc/cron.d/job")
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) wrote /etc/cron.d/job (/bin/busybox, pid 42), not in its learned profile (version 7)"}
}

test_pattern_with_two_stars_is_no_pattern_denied if {
	r := profile_drift_write.deny with input as _fact({}, "/var/cache/app/a/b", true)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"writes": {"/var/cache/*/a/*": true}})}
	count(r) == 1
	r == {"container \"web-1\" (workload compose:shop/web) wrote /var/cache/app/a/b (/bin/busybox, pid 42), not in its learned profile (version 7)"}
}

test_glob_stays_in_segment_denied if {
	_denied("/tmp/app-1/x") == {"container \"web-1\" (workload compose:shop/web) wrote /tmp/app-1/x (/bin/busybox, pid 42), not in its learned profile (version 7)"}
	_denied("/tmp/other") == {"container \"web-1\" (workload compose:shop/web) wrote /tmp/other (/bin/busybox, pid 42), not in its learned profile (version 7)"}
	_denied("/var/log/app.log.1") == {"container \"web-1\" (workload compose:shop/web) wrote /var/log/app.log.1 (/bin/busybox, pid 42), not in its learned profile (version 7)"}
}

test_glob_class_taken_literally_only_by_exact_key_denied if {
	# "/data/[x]" has no *, so it is an exact key, not a character class.
	_denied("/data/x") == {"container \"web-1\" (workload compose:shop/web) wrote /data/x (/bin/busybox, pid 42), not in its learned profile (version 7)"}
}

test_known_path_allowed if {
	count(_denied("/var/log/app.log")) == 0
	count(_denied("/data/[x]")) == 0
}

test_glob_pattern_allowed if {
	count(_denied("/tmp/app-12345")) == 0
	count(_denied("/tmp/app-")) == 0
}

test_read_allowed if {
	count(profile_drift_write.deny) == 0 with input as _fact({}, "/etc/shadow", false) with data.vigil.profiles as _profiles
}

test_learning_profile_allowed if {
	count(profile_drift_write.deny) == 0 with input as _fact({}, "/etc/cron.d/job", true)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"state": "learning"})}
}

test_hand_written_profile_allowed if {
	count(profile_drift_write.deny) == 0 with input as _fact({}, "/etc/cron.d/job", true)
		with data.vigil.profiles as {"compose:shop/web": {"outbound_ports": [443]}}
}

test_host_process_allowed if {
	count(profile_drift_write.deny) == 0 with input as _fact({"host": true}, "/etc/cron.d/job", true)
		with data.vigil.profiles as _profiles
}

test_profile_without_section_allowed if {
	count(profile_drift_write.deny) == 0 with input as _fact({}, "/etc/cron.d/job", true)
		with data.vigil.profiles as {"compose:shop/web": object.remove(_profile, ["writes"])}
}

test_glob_characters_in_pattern_literal_allowed if {
	r := profile_drift_write.deny with input as _fact({}, "/srv/{a}/x[1]-9", true)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"writes": {"/srv/{a}/x[1]-*": true}})}
	count(r) == 0
	count(profile_drift_write.deny) == 1 with input as _fact({}, "/srv/a/x1-9", true)
		with data.vigil.profiles as {"compose:shop/web": object.union(_profile, {"writes": {"/srv/{a}/x[1]-*": true}})}
}
