package vigil.runtime.private_key_read_test

import data.vigil.runtime.private_key_read

_fact(path, comm) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "read": true,
	"process": {"pid": 1400, "comm": comm, "exe": concat("/", ["/usr/bin", comm])},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_user_key_denied if {
	r := private_key_read.deny with input as _fact("/root/.ssh/id_ed25519", "cat")
	count(r) == 1
	r == {"/usr/bin/cat (pid 1400) in container \"web\" read SSH private key /root/.ssh/id_ed25519"}
}

test_host_key_denied if {
	r := private_key_read.deny with input as _fact("/etc/ssh/ssh_host_rsa_key", "tar")
	r == {"/usr/bin/tar (pid 1400) in container \"web\" read SSH private key /etc/ssh/ssh_host_rsa_key"}
}

test_public_key_allowed if {
	count(private_key_read.deny) == 0 with input as _fact("/home/app/.ssh/id_rsa.pub", "cat")
	count(private_key_read.deny) == 0 with input as _fact("/etc/ssh/ssh_host_rsa_key.pub", "cat")
}

test_ssh_client_allowed if {
	r := private_key_read.deny with input as _fact("/home/app/.ssh/id_rsa", "ssh")
		with data.vigil.config.runtime_private_key_allowed_exes as ["ssh"]
	count(r) == 0
}
