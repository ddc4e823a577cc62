package vigil.runtime.sshd_in_container_test

import data.vigil.runtime.sshd_in_container

_exec(exe, comm, host) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 7, "comm": comm, "exe": exe, "args": [exe, "-D"]},
	"container": {"id": "c1", "name": "web", "host": host},
}}

test_sshd_in_container_denied if {
	sshd_in_container.deny == {"SSH server /usr/sbin/sshd (pid 7) started in container \"web\""} with input as _exec("/usr/sbin/sshd", "sshd", false)
	count(sshd_in_container.deny) == 1 with input as _exec("/usr/sbin/dropbear", "dropbear", false)
}

test_host_sshd_allowed if {
	count(sshd_in_container.deny) == 0 with input as _exec("/usr/sbin/sshd", "sshd", true)
}

test_ssh_client_allowed if {
	count(sshd_in_container.deny) == 0 with input as _exec("/usr/bin/ssh", "ssh", false)
}
