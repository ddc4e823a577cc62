package vigil.container.sensitive_mounts_test

import data.vigil.container.sensitive_mounts

_fact(mounts) := {"kind": "container", "container": {"name": "web", "mounts": mounts}}

test_etc_read_write_denied if {
	r := sensitive_mounts.deny with input as _fact([{"type": "bind", "source": "/etc/", "destination": "/host/etc", "read_write": true}])
	r == {"container \"web\" mounts sensitive host path \"/etc\" at \"/host/etc\" (read-write)"}
}

test_root_and_subdirectory_denied if {
	r := sensitive_mounts.deny with input as _fact([
		{"type": "bind", "source": "/", "destination": "/host", "read_write": false},
		{"type": "hostPath", "source": "/sys/fs/cgroup", "destination": "/cgroup", "read_write": false},
	])
	r == {
		"container \"web\" mounts sensitive host path \"/\" at \"/host\" (read-only)",
		"container \"web\" mounts sensitive host path \"/sys/fs/cgroup\" at \"/cgroup\" (read-only)",
	}
}

test_application_directory_allowed if {
	r := sensitive_mounts.deny with input as _fact([
		{"type": "bind", "source": "/srv/web", "destination": "/data", "read_write": true},
		{"type": "bind", "source": "/etcetera", "destination": "/x", "read_write": true},
		{"type": "volume", "source": "/var/lib/docker/volumes/v/_data", "destination": "/v", "read_write": true},
	])
	count(r) == 0
}

test_localtime_read_only_allowed if {
	r := sensitive_mounts.deny with input as _fact([{"type": "bind", "source": "/etc/localtime", "destination": "/etc/localtime", "read_write": false}])
	count(r) == 0
}

test_localtime_read_write_denied if {
	r := sensitive_mounts.deny with input as _fact([{"type": "bind", "source": "/etc/localtime", "destination": "/etc/localtime", "read_write": true}])
	r == {"container \"web\" mounts sensitive host path \"/etc/localtime\" at \"/etc/localtime\" (read-write)"}
}

test_configured_paths_denied if {
	r := sensitive_mounts.deny with input as _fact([{"type": "bind", "source": "/opt/secrets", "destination": "/s", "read_write": false}])
		with data.vigil.config.sensitive_host_paths as ["/opt/secrets"]
	r == {"container \"web\" mounts sensitive host path \"/opt/secrets\" at \"/s\" (read-only)"}
}
