package vigil.runtime.system_user_shell_test

import data.vigil.runtime.system_user_shell

_fact(uid, tty, args) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 70, "uid": uid, "comm": "sh", "exe": "/bin/sh", "tty": tty, "args": args},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_daemon_tty_shell_denied if {
	r := system_user_shell.deny with input as _fact(1, true, ["sh"])
	count(r) == 1
	r == {"/bin/sh (pid 70) in container \"web\" is an interactive shell of system account uid 1"}
}

test_nobody_stdin_shell_denied if {
	r := system_user_shell.deny with input as _fact(65534, false, ["sh", "-i"])
	r == {"/bin/sh (pid 70) in container \"web\" is an interactive shell of system account uid 65534"}
}

test_daemon_script_allowed if {
	count(system_user_shell.deny) == 0 with input as _fact(33, false, ["sh", "-c", "logrotate /etc/logrotate.conf"])
}

test_root_and_users_allowed if {
	count(system_user_shell.deny) == 0 with input as _fact(0, true, ["sh"])
	count(system_user_shell.deny) == 0 with input as _fact(1000, true, ["bash"])
}

test_allowed_uid_allowed if {
	r := system_user_shell.deny with input as _fact(1, true, ["sh"])
		with data.vigil.config.runtime_system_shell_allowed_uids as [1]
	count(r) == 0
}
