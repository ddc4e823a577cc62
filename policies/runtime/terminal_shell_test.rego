package vigil.runtime.terminal_shell_test

import data.vigil.runtime.terminal_shell

_fact(process, container) := {"kind": "process_exec", "process_exec": {"process": process, "container": container}}

_web := {"id": "c0ffee", "name": "web", "image": "nginx:1.27", "host": false}

test_interactive_bash_denied if {
	r := terminal_shell.deny with input as _fact({"pid": 4242, "uid": 0, "comm": "bash", "exe": "/usr/bin/bash", "tty": true}, _web)
	count(r) == 1
	r == {"terminal shell /usr/bin/bash (pid 4242, uid 0) opened in container \"web\""}
}

test_busybox_sh_by_id_denied if {
	r := terminal_shell.deny with input as _fact(
		{"pid": 7, "uid": 1000, "comm": "sh", "exe": "", "tty": true},
		{"id": "c0ffee", "name": "", "image": "busybox:1"},
	)
	r == {"terminal shell sh (pid 7, uid 1000) opened in container \"c0ffee\""}
}

test_non_tty_shell_allowed if {
	count(terminal_shell.deny) == 0 with input as _fact({"pid": 1, "comm": "sh", "exe": "/bin/sh", "tty": false}, _web)
}

test_tty_non_shell_allowed if {
	count(terminal_shell.deny) == 0 with input as _fact({"pid": 1, "comm": "top", "exe": "/usr/bin/top", "tty": true}, _web)
}

test_host_process_allowed if {
	count(terminal_shell.deny) == 0 with input as _fact({"pid": 1, "comm": "bash", "exe": "/bin/bash", "tty": true}, {"id": "", "host": true})
}

test_allowed_image_allowed if {
	r := terminal_shell.deny with input as _fact({"pid": 1, "comm": "bash", "exe": "/bin/bash", "tty": true}, _web)
		with data.vigil.config.runtime_shell_allowed_images as ["nginx:*"]
	count(r) == 0
}
