package vigil.runtime.exposed_container_shell_test

import data.vigil.runtime.exposed_container_shell

_shell := {"pid": 4242, "uid": 0, "comm": "sh", "exe": "/bin/sh", "tty": true}

_ref := {"id": "c0ffee", "name": "agent", "image": "busybox:1", "host": false}

_input(process, context) := {"kind": "process_exec", "process_exec": {"process": process, "container": _ref}, "context": context}

test_host_pid_container_denied if {
	r := exposed_container_shell.deny with input as _input(_shell, {"container": {"id": "c0ffee", "name": "agent", "namespaces": {"pid": "host"}}})
	r == {"terminal shell /bin/sh (pid 4242, uid 0) opened in container \"agent\", which shares the host's PID namespace"}
}

test_privileged_socket_container_denied if {
	c := {
		"id": "c0ffee", "name": "agent", "privileged": true,
		"mounts": [{"type": "bind", "source": "/var/run/docker.sock", "destination": "/var/run/docker.sock", "read_write": true}],
	}
	r := exposed_container_shell.deny with input as _input(_shell, {"container": c})
	r == {"terminal shell /bin/sh (pid 4242, uid 0) opened in container \"agent\", which mounts the container runtime socket and runs privileged"}
}

test_hardened_container_allowed if {
	c := {"id": "c0ffee", "name": "agent", "privileged": false, "namespaces": {"pid": ""}, "mounts": []}
	count(exposed_container_shell.deny) == 0 with input as _input(_shell, {"container": c})
}

test_no_context_allowed if {
	count(exposed_container_shell.deny) == 0 with input as _input(_shell, {"missing": ["container"]})
}

test_shell_without_terminal_allowed if {
	c := {"id": "c0ffee", "name": "agent", "privileged": true}
	count(exposed_container_shell.deny) == 0 with input as _input(object.union(_shell, {"tty": false}), {"container": c})
}

test_allowed_image_allowed if {
	c := {"id": "c0ffee", "name": "agent", "privileged": true}
	r := exposed_container_shell.deny with input as _input(_shell, {"container": c})
		with data.vigil.config.runtime_shell_allowed_images as ["busybox:*"]
	count(r) == 0
}
