package vigil.lib.docker_files_test

import data.vigil.lib.docker_files

_daemon := {"tls_cacert": "/etc/docker/tls/ca.pem", "tls_cert": "", "tls_key": "/etc/docker/tls/key.pem"}

test_unit_files if {
	docker_files.expectation("/lib/systemd/system/docker.service", null).ownership == "3.1"
	docker_files.expectation("/etc/systemd/system/docker.socket", null).permissions == "3.4"
}

test_directory_and_certificates if {
	docker_files.expectation("/etc/docker", null).max_mode == 493
	docker_files.expectation("/etc/docker/certs.d/registry:5000/ca.crt", null).max_mode == 292
	not docker_files.expectation("/etc/docker/certs.d/registry:5000", null)
}

test_tls_files_from_daemon if {
	docker_files.expectation("/etc/docker/tls/key.pem", _daemon) == {"path": "/etc/docker/tls/key.pem", "max_mode": 256, "ownership": "3.13", "permissions": "3.14"}
	docker_files.expectation("/etc/docker/tls/ca.pem", _daemon).ownership == "3.9"
}

test_unknown_path if {
	not docker_files.expectation("/etc/passwd", _daemon)
	not docker_files.expectation("", _daemon)
}
