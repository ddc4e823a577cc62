package vigil.host.docker_socket_ownership_test

import data.vigil.host.docker_socket_ownership

_host(files) := {"kind": "host", "host": {"hostname": "node-1", "daemon": {"hosts": ["unix:///srv/docker/api.sock"]}, "files": files}}

test_user_owned_denied if {
	r := docker_socket_ownership.deny with input as _host([{"path": "/var/run/docker.sock", "exists": true, "uid": 1000, "gid": 998, "owner": "alice", "group": "docker", "mode": 432}])
	r == {"host \"node-1\": Docker socket /var/run/docker.sock is owned by alice:docker, expected root:docker"}
}

test_other_group_on_configured_socket_denied if {
	r := docker_socket_ownership.deny with input as _host([{"path": "/srv/docker/api.sock", "exists": true, "uid": 0, "gid": 100, "owner": "root", "group": "users", "mode": 432}])
	r == {"host \"node-1\": Docker socket /srv/docker/api.sock is owned by root:users, expected root:docker"}
}

test_root_docker_allowed if {
	r := docker_socket_ownership.deny with input as _host([
		{"path": "/var/run/docker.sock", "exists": true, "uid": 0, "gid": 998, "owner": "root", "group": "docker", "mode": 432},
		{"path": "/srv/docker/api.sock", "exists": true, "uid": 0, "gid": 0, "owner": "root", "group": "root", "mode": 384},
	])
	count(r) == 0
}

test_missing_or_other_files_allowed if {
	r := docker_socket_ownership.deny with input as _host([
		{"path": "/run/docker.sock", "exists": false, "uid": 0, "gid": 0, "owner": "", "group": "", "mode": 0},
		{"path": "/etc/docker/daemon.json", "exists": true, "uid": 1000, "gid": 1000, "owner": "alice", "group": "alice", "mode": 420},
	])
	count(r) == 0
}
