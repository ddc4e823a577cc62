package vigil.image.ssh_server_test

import data.vigil.image.ssh_server

test_openssh_server_denied if {
	r := ssh_server.deny with input as {"kind": "image", "image": {"reference": "shop/legacy:3", "packages": [
		{"name": "openssh-client", "version": "1:9.2p1-2+deb12u3"},
		{"name": "openssh-server", "version": "1:9.2p1-2+deb12u3"},
	]}}
	count(r) == 1
	r == {"image \"shop/legacy:3\" contains an SSH server: package openssh-server"}
}

test_sshd_file_denied if {
	r := ssh_server.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "files": [{"path": "/usr/sbin/sshd", "mode": 493, "capabilities": ["cap_net_bind_service+ep"]}]}}
	r == {"image \"sha256:abc\" contains an SSH server: file /usr/sbin/sshd"}
}

test_ssh_client_allowed if {
	r := ssh_server.deny with input as {"kind": "image", "image": {"reference": "git:2", "packages": [{"name": "openssh-client", "version": "1"}], "files": [{"path": "/usr/bin/ssh-agent", "setgid": true}]}}
	count(r) == 0
}
