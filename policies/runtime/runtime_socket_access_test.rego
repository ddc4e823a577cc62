package vigil.runtime.runtime_socket_access_test

import data.vigil.runtime.runtime_socket_access

_fact(path, operation) := {"kind": "file_access", "file_access": {
	"path": path, "operation": operation,
	"process": {"pid": 2000, "comm": "curl", "exe": "/usr/bin/curl"},
	"container": {"id": "c0ffee", "name": "ci", "image": "alpine:3.20"},
}}

test_docker_sock_connect_denied if {
	r := runtime_socket_access.deny with input as _fact("/var/run/docker.sock", "connect")
	count(r) == 1
	r == {"/usr/bin/curl (pid 2000) in container \"ci\" accessed container runtime socket /var/run/docker.sock (connect)"}
}

test_containerd_sock_open_denied if {
	runtime_socket_access.deny == {"/usr/bin/curl (pid 2000) in container \"ci\" accessed container runtime socket /run/containerd/containerd.sock (open)"} with input as _fact("/run/containerd/containerd.sock", "open")
}

test_other_socket_allowed if {
	count(runtime_socket_access.deny) == 0 with input as _fact("/run/app/app.sock", "connect")
}

test_host_process_allowed if {
	f := {"kind": "file_access", "file_access": {"path": "/var/run/docker.sock", "operation": "connect", "process": {"pid": 1, "comm": "docker", "exe": "/usr/bin/docker"}, "container": {"id": "", "host": true}}}
	count(runtime_socket_access.deny) == 0 with input as f
}
