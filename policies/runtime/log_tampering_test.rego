package vigil.runtime.log_tampering_test

import data.vigil.runtime.log_tampering

_fact(path, operation, write, comm) := {"kind": "file_access", "file_access": {
	"path": path, "operation": operation, "write": write,
	"process": {"pid": 1900, "comm": comm, "exe": concat("/", ["/usr/bin", comm])},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_history_unlink_denied if {
	r := log_tampering.deny with input as _fact("/root/.bash_history", "unlink", false, "rm")
	count(r) == 1
	r == {"/usr/bin/rm (pid 1900) in container \"web\" tampered with /root/.bash_history (unlink)"}
}

test_log_shred_denied if {
	r := log_tampering.deny with input as _fact("/var/log/nginx/access.log", "open", true, "shred")
	r == {"/usr/bin/shred (pid 1900) in container \"web\" tampered with /var/log/nginx/access.log (open)"}
}

test_truncate_by_exe_denied if {
	f := {"kind": "file_access", "file_access": {
		"path": "/home/app/.ash_history", "operation": "open", "write": true,
		"process": {"pid": 5, "comm": "x", "exe": "/bin/truncate"},
		"container": {"id": "c0ffee", "name": "web"},
	}}
	count(log_tampering.deny) == 1 with input as f
}

test_normal_logging_allowed if {
	count(log_tampering.deny) == 0 with input as _fact("/var/log/nginx/access.log", "open", true, "nginx")
	count(log_tampering.deny) == 0 with input as _fact("/root/.bash_history", "open", true, "bash")
}

test_logrotate_allowed if {
	r := log_tampering.deny with input as _fact("/var/log/app.log", "rename", false, "logrotate")
		with data.vigil.config.runtime_log_tamper_allowed_exes as ["logrotate"]
	count(r) == 0
}

test_log_truncated_by_shell_denied if {
	f := json.patch(_fact("/var/log/app.log", "open", true, "sh"), [{"op": "add", "path": "/file_access/truncated", "value": true}])
	r := log_tampering.deny with input as f
	r == {"/usr/bin/sh (pid 1900) in container \"web\" tampered with /var/log/app.log (open)"}
}

test_log_truncate_syscall_denied if {
	f := json.patch(_fact("/var/log/app.log", "truncate", true, "busybox"), [{"op": "add", "path": "/file_access/truncated", "value": true}])
	r := log_tampering.deny with input as f
	r == {"/usr/bin/busybox (pid 1900) in container \"web\" tampered with /var/log/app.log (truncate)"}
}
