package vigil.host.docker_socket_permissions_test

import data.vigil.host.docker_socket_permissions

_host(files) := {"kind": "host", "host": {"hostname": "node-1", "daemon": {"hosts": ["unix:///srv/docker/api.sock"]}, "files": files}}

test_world_writable_denied if {
	r := docker_socket_permissions.deny with input as _host([{"path": "/var/run/docker.sock", "exists": true, "uid": 0, "gid": 998, "owner": "root", "group": "docker", "mode": 438}])
	r == {"host \"node-1\": Docker socket /var/run/docker.sock has mode 0666, expected 0660 or more restrictive"}
}

test_group_execute_on_configured_socket_denied if {
	r := docker_socket_permissions.deny with input as _host([{"path": "/srv/docker/api.sock", "exists": true, "uid": 0, "gid": 998, "owner": "root", "group": "docker", "mode": 440}])
	r == {"host \"node-1\": Docker socket /srv/docker/api.sock has mode 0670, expected 0660 or more restrictive"}
}

test_660_and_600_allowed if {
	r := docker_socket_permissions.deny with input as _host([
		{"path": "/var/run/docker.sock", "exists": true, "uid": 0, "gid": 998, "owner": "root", "group": "docker", "mode": 432},
		{"path": "/srv/docker/api.sock", "exists": true, "uid": 0, "gid": 0, "owner": "root", "group": "root", "mode": 384},
		{"path": "/run/docker.sock", "exists": false, "uid": 0, "gid": 0, "owner": "", "group": "", "mode": 0},
	])
	count(r) == 0
}
