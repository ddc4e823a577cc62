package vigil.runtime.shadow_read_test

import data.vigil.runtime.shadow_read

_fact(path, comm) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "read": true,
	"process": {"pid": 1300, "comm": comm, "exe": concat("/", ["/usr/bin", comm])},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_cat_shadow_denied if {
	r := shadow_read.deny with input as _fact("/etc/shadow", "cat")
		with data.vigil.config.runtime_shadow_allowed_exes as ["su"]
	count(r) == 1
	r == {"/usr/bin/cat (pid 1300) in container \"web\" read /etc/shadow"}
}

test_allowed_reader_allowed if {
	r := shadow_read.deny with input as _fact("/etc/gshadow", "su")
		with data.vigil.config.runtime_shadow_allowed_exes as ["su"]
	count(r) == 0
}

test_other_file_allowed if {
	count(shadow_read.deny) == 0 with input as _fact("/etc/passwd", "cat")
}

test_write_only_allowed if {
	f := json.patch(_fact("/etc/shadow", "cat"), [{"op": "replace", "path": "/file_access/read", "value": false}])
	count(shadow_read.deny) == 0 with input as f
}
