package vigil.host.docker_file_ownership_test

import data.vigil.host.docker_file_ownership

_file(path, uid, gid, owner, group) := {"path": path, "exists": true, "uid": uid, "gid": gid, "owner": owner, "group": group, "mode": 420}

test_daemon_json_owned_by_user_denied if {
	r := docker_file_ownership.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null, "files": [
		_file("/etc/docker/daemon.json", 1000, 1000, "alice", "alice"),
		_file("/lib/systemd/system/docker.service", 0, 0, "root", "root"),
	]}}
	r == {{"msg": "host \"node-1\": /etc/docker/daemon.json is owned by alice:alice, expected root:root (CIS 3.17)", "frameworks": {"cis-docker": ["3.17"]}}}
}

test_tls_key_group_denied if {
	r := docker_file_ownership.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"tls_cacert": "", "tls_cert": "", "tls_key": "/srv/tls/key.pem"}, "files": [_file("/srv/tls/key.pem", 0, 50, "root", "")]}}
	r == {{"msg": "host \"node-1\": /srv/tls/key.pem is owned by root:50, expected root:root (CIS 3.13)", "frameworks": {"cis-docker": ["3.13"]}}}
}

test_root_owned_and_unrelated_allowed if {
	r := docker_file_ownership.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null, "files": [
		_file("/etc/docker", 0, 0, "root", "root"),
		_file("/home/alice/.docker/config.json", 1000, 1000, "alice", "alice"),
		{"path": "/etc/sysconfig/docker", "exists": false, "uid": 0, "gid": 0, "owner": "", "group": "", "mode": 0},
	]}}
	count(r) == 0
}
