package vigil.host.docker_file_permissions_test

import data.vigil.host.docker_file_permissions

_file(path, mode) := {"path": path, "exists": true, "uid": 0, "gid": 0, "owner": "root", "group": "root", "mode": mode}

test_world_writable_unit_denied if {
	r := docker_file_permissions.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null, "files": [_file("/usr/lib/systemd/system/docker.service", 438)]}}
	r == {{"msg": "host \"node-1\": /usr/lib/systemd/system/docker.service has mode 0666, expected 0644 or more restrictive (CIS 3.2)", "frameworks": {"cis-docker": ["3.2"]}}}
}

test_readable_key_denied if {
	r := docker_file_permissions.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"tls_cacert": "/etc/docker/ca.pem", "tls_cert": "/etc/docker/cert.pem", "tls_key": "/etc/docker/key.pem"}, "files": [
		_file("/etc/docker/key.pem", 420),
		_file("/etc/docker/ca.pem", 292),
		_file("/etc/docker/cert.pem", 256),
	]}}
	r == {{"msg": "host \"node-1\": /etc/docker/key.pem has mode 0644, expected 0400 or more restrictive (CIS 3.14)", "frameworks": {"cis-docker": ["3.14"]}}}
}

test_strict_modes_allowed if {
	r := docker_file_permissions.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null, "files": [
		_file("/etc/docker", 493),
		_file("/etc/docker/daemon.json", 384),
		_file("/run/containerd/containerd.sock", 432),
		_file("/etc/docker/certs.d/r:5000/ca.crt", 292),
	]}}
	count(r) == 0
}
