package vigil.runtime.auth_config_read_test

import data.vigil.runtime.auth_config_read

_fact(path, comm) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "read": true, "write": false,
	"process": {"pid": 61, "comm": comm, "exe": concat("", ["/bin/", comm])},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_sudoers_read_denied if {
	r := auth_config_read.deny with input as _fact("/etc/sudoers", "cat")
	count(r) == 1
	r == {"/bin/cat (pid 61) in container \"web\" read /etc/sudoers"}
}

test_pam_d_read_denied if {
	r := auth_config_read.deny with input as _fact("/etc/pam.d/common-auth", "cat")
	count(r) == 1
	r == {"/bin/cat (pid 61) in container \"web\" read /etc/pam.d/common-auth"}
}

test_sudo_itself_allowed if {
	r := auth_config_read.deny with input as _fact("/etc/sudoers", "sudo")
		with data.vigil.config.runtime_shadow_allowed_exes as ["sudo"]
	count(r) == 0
}

test_other_etc_file_allowed if {
	count(auth_config_read.deny) == 0 with input as _fact("/etc/hosts", "cat")
}
