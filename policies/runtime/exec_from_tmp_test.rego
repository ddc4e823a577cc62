package vigil.runtime.exec_from_tmp_test

import data.vigil.runtime.exec_from_tmp

_fact(exe) := {"kind": "process_exec", "process_exec": {"process": {"pid": 900, "comm": "x", "exe": exe}, "container": {"id": "c0ffee", "name": "", "image": "nginx:1.27"}}}

test_dev_shm_denied if {
	r := exec_from_tmp.deny with input as _fact("/dev/shm/.x/payload")
	count(r) == 1
	r == {"container \"c0ffee\" executed /dev/shm/.x/payload (pid 900) from temporary directory /dev/shm"}
}

test_tmp_denied if {
	r := exec_from_tmp.deny with input as _fact("/tmp/kdevtmpfsi")
	r == {"container \"c0ffee\" executed /tmp/kdevtmpfsi (pid 900) from temporary directory /tmp"}
}

test_usr_bin_allowed if {
	count(exec_from_tmp.deny) == 0 with input as _fact("/usr/bin/tmpreaper")
	count(exec_from_tmp.deny) == 0 with input as _fact("/tmpfoo/bin")
}

test_allowed_path_allowed if {
	r := exec_from_tmp.deny with input as _fact("/tmp/jna-123/jnidispatch")
		with data.vigil.config.runtime_tmp_exec_allowed_paths as ["/tmp/jna-*/*"]
	count(r) == 0
}

test_shell_script_from_dev_shm_denied if {
	f := {"kind": "process_exec", "process_exec": {"process": {"pid": 901, "comm": "sh", "exe": "/bin/sh", "args": ["sh", "-e", "/dev/shm/run.sh"]}, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}
	r := exec_from_tmp.deny with input as f
	count(r) == 1
	r == {"container \"web\" executed /dev/shm/run.sh (pid 901) from temporary directory /dev/shm"}
}

test_shell_command_mentioning_tmp_allowed if {
	f := {"kind": "process_exec", "process_exec": {"process": {"pid": 902, "comm": "sh", "exe": "/bin/sh", "args": ["sh", "-c", "/tmp/x"]}, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}
	count(exec_from_tmp.deny) == 0 with input as f
}
