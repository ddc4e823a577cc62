package vigil.runtime.fileless_exec_test

import data.vigil.runtime.fileless_exec

_fact(exe) := {"kind": "process_exec", "process_exec": {"process": {"pid": 1200, "comm": "x", "exe": exe}, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_memfd_denied if {
	r := fileless_exec.deny with input as _fact("/memfd: (deleted)")
	count(r) == 1
	r == {"container \"web\" executed /memfd: (deleted) (pid 1200) from memory or a deleted file"}
}

test_deleted_binary_denied if {
	r := fileless_exec.deny with input as _fact("/usr/bin/.cache/x (deleted)")
	r == {"container \"web\" executed /usr/bin/.cache/x (deleted) (pid 1200) from memory or a deleted file"}
}

test_memfd_without_slash_denied if {
	fileless_exec.deny == {"container \"web\" executed memfd:payload (pid 1200) from memory or a deleted file"} with input as _fact("memfd:payload")
}

test_regular_binary_allowed if {
	count(fileless_exec.deny) == 0 with input as _fact("/usr/sbin/nginx")
}
