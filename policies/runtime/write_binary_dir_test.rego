package vigil.runtime.write_binary_dir_test

import data.vigil.runtime.write_binary_dir

_fact(path, operation, write) := {"kind": "file_access", "file_access": {
	"path": path, "operation": operation, "write": write,
	"process": {"pid": 1700, "comm": "curl", "exe": "/usr/bin/curl"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_write_usr_bin_denied if {
	r := write_binary_dir.deny with input as _fact("/usr/bin/ps", "open", true)
	count(r) == 1
	r == {"/usr/bin/curl (pid 1700) in container \"web\" modified /usr/bin/ps (open)"}
}

test_chmod_lib_denied if {
	r := write_binary_dir.deny with input as _fact("/lib/x86_64-linux-gnu/libevil.so", "chmod", false)
	r == {"/usr/bin/curl (pid 1700) in container \"web\" modified /lib/x86_64-linux-gnu/libevil.so (chmod)"}
}

test_read_allowed if {
	count(write_binary_dir.deny) == 0 with input as _fact("/usr/bin/ps", "open", false)
}

test_pycache_allowed if {
	r := write_binary_dir.deny with input as _fact("/usr/lib/python3.11/__pycache__/os.cpython-311.pyc", "open", true)
		with data.vigil.config.runtime_binary_dir_write_allowed_paths as ["/usr/lib/**/__pycache__/*"]
	count(r) == 0
}

test_other_dir_allowed if {
	count(write_binary_dir.deny) == 0 with input as _fact("/usr/share/nginx/html/index.html", "open", true)
}
