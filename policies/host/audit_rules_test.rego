package vigil.host.audit_rules_test

import data.vigil.host.audit_rules

_paths := [
	{"path": "/usr/bin/dockerd", "cis": "1.1.3"},
	{"path": "/etc/docker", "cis": "1.1.6"},
	{"path": "docker.service", "cis": "1.1.7"},
	{"path": "/etc/sysconfig/docker", "cis": "1.1.13"},
]

test_nothing_audited_denied if {
	r := audit_rules.deny with input as {"kind": "host", "host": {"hostname": "node-1", "audit_rules": [], "files": [
		{"path": "/etc/sysconfig/docker", "exists": false},
		{"path": "/lib/systemd/system/docker.service", "exists": false},
		{"path": "/usr/lib/systemd/system/docker.service", "exists": true},
	]}}
		with data.vigil.config.audit_paths as _paths
	r == {
		{"msg": "host \"node-1\": auditd does not watch /usr/bin/dockerd (CIS 1.1.3)", "frameworks": {"cis-docker": ["1.1.3"]}},
		{"msg": "host \"node-1\": auditd does not watch /etc/docker (CIS 1.1.6)", "frameworks": {"cis-docker": ["1.1.6"]}},
		{"msg": "host \"node-1\": auditd does not watch docker.service (CIS 1.1.7)", "frameworks": {"cis-docker": ["1.1.7"]}},
	}
}

test_no_docker_allowed if {
	r := audit_rules.deny with input as {"kind": "host", "host": {"hostname": "node-1", "audit_rules": [], "files": [], "docker_absent": true}}
		with data.vigil.config.audit_paths as _paths
	r == set()
}

test_prefix_does_not_count_denied if {
	r := audit_rules.deny with input as {"kind": "host", "host": {"hostname": "node-1", "files": [], "audit_rules": [
		"-w /usr/bin/dockerd -k docker",
		"-w /etc/docker/daemon.json -k docker",
		"-a exit,always -F path=/lib/systemd/system/docker.service -F perm=wa -k docker",
		"-w /etc/sysconfig/docker -k docker",
	]}}
		with data.vigil.config.audit_paths as _paths
	r == {{"msg": "host \"node-1\": auditd does not watch /etc/docker (CIS 1.1.6)", "frameworks": {"cis-docker": ["1.1.6"]}}}
}

test_all_audited_allowed if {
	r := audit_rules.deny with input as {"kind": "host", "host": {"hostname": "node-1", "files": [{"path": "/etc/sysconfig/docker", "exists": false}], "audit_rules": [
		"-w /usr/bin/dockerd -k docker",
		"-w /etc/docker -k docker",
		"-w /usr/lib/systemd/system/docker.service -k docker",
	]}}
		with data.vigil.config.audit_paths as _paths
	count(r) == 0
}
