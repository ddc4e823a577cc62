package vigil.runtime.sensitive_link_test

import data.vigil.runtime.sensitive_link

_fact(op, path, target) := {"kind": "file_access", "file_access": {
	"operation": op, "path": path, "target": target, "write": true,
	"process": {"pid": 90, "comm": "ln", "exe": "/bin/ln"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_symlink_to_shadow_denied if {
	r := sensitive_link.deny with input as _fact("symlink", "/tmp/s", "/etc/shadow")
	count(r) == 1
	r == {"/bin/ln (pid 90) in container \"web\" created symbolic link /tmp/s to sensitive /etc/shadow"}
}

test_hardlink_to_etc_denied if {
	r := sensitive_link.deny with input as _fact("link", "/tmp/e", "/etc/")
	r == {"/bin/ln (pid 90) in container \"web\" created hard link /tmp/e to sensitive /etc/"}
}

test_ordinary_link_allowed if {
	count(sensitive_link.deny) == 0 with input as _fact("symlink", "/usr/lib/libz.so", "libz.so.1")
}

test_open_allowed if {
	count(sensitive_link.deny) == 0 with input as _fact("open", "/etc/shadow", "")
}

test_listed_exe_allowed if {
	r := sensitive_link.deny with input as _fact("symlink", "/tmp/s", "/etc/shadow")
		with data.vigil.config.runtime_link_allowed_exes as ["ln"]
	count(r) == 0
}
