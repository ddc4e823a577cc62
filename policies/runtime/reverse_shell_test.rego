package vigil.runtime.reverse_shell_test

import data.vigil.runtime.reverse_shell

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_bash_on_socket_denied if {
	r := reverse_shell.deny with input as _fact({"pid": 700, "comm": "bash", "exe": "/bin/bash", "stdio": ["socket", "socket", "socket"]})
	count(r) == 1
	r == {"reverse shell: /bin/bash (pid 700) in container \"web\" has stdio connected to a socket (socket,socket,socket)"}
}

test_stdout_socket_denied if {
	r := reverse_shell.deny with input as _fact({"pid": 701, "comm": "sh", "exe": "", "stdio": ["pipe", "socket", "pipe"]})
	r == {"reverse shell: sh (pid 701) in container \"web\" has stdio connected to a socket (pipe,socket,pipe)"}
}

test_shell_on_pipes_allowed if {
	count(reverse_shell.deny) == 0 with input as _fact({"pid": 2, "comm": "sh", "exe": "/bin/sh", "stdio": ["null", "pipe", "pipe"]})
}

test_server_on_socket_allowed if {
	count(reverse_shell.deny) == 0 with input as _fact({"pid": 3, "comm": "nginx", "exe": "/usr/sbin/nginx", "stdio": ["socket", "socket", "file"]})
}
