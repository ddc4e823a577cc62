package vigil.runtime.write_etc_test

import data.vigil.runtime.write_etc

_fact(path, operation, write) := {"kind": "file_access", "file_access": {
	"path": path, "operation": operation, "write": write,
	"process": {"pid": 1800, "comm": "sh", "exe": "/bin/sh"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_passwd_write_denied if {
	r := write_etc.deny with input as _fact("/etc/passwd", "open", true)
	count(r) == 1
	r == {"/bin/sh (pid 1800) in container \"web\" modified /etc/passwd (open)"}
}

test_rename_denied if {
	r := write_etc.deny with input as _fact("/etc/ld.so.preload", "rename", false)
	r == {"/bin/sh (pid 1800) in container \"web\" modified /etc/ld.so.preload (rename)"}
}

test_read_allowed if {
	count(write_etc.deny) == 0 with input as _fact("/etc/passwd", "open", false)
}

test_allowed_path_allowed if {
	r := write_etc.deny with input as _fact("/etc/nginx/conf.d/default.conf", "open", true)
		with data.vigil.config.runtime_etc_write_allowed_paths as ["/etc/nginx/conf.d/*"]
	count(r) == 0
}
