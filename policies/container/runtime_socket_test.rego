package vigil.container.runtime_socket_test

import data.vigil.container.runtime_socket

_fact(mounts) := {"kind": "container", "container": {"name": "ci", "mounts": mounts}}

test_docker_sock_denied if {
	r := runtime_socket.deny with input as _fact([{"type": "bind", "source": "/var/run/docker.sock", "destination": "/var/run/docker.sock", "read_write": true}])
	r == {"container \"ci\" mounts the container runtime socket \"/var/run/docker.sock\" at \"/var/run/docker.sock\""}
}

test_rootless_and_containerd_sockets_denied if {
	r := runtime_socket.deny with input as _fact([
		{"type": "bind", "source": "/run/user/1000/docker.sock", "destination": "/d.sock", "read_write": false},
		{"type": "hostPath", "source": "/run/containerd/containerd.sock", "destination": "/c.sock", "read_write": false},
	])
	r == {
		"container \"ci\" mounts the container runtime socket \"/run/user/1000/docker.sock\" at \"/d.sock\"",
		"container \"ci\" mounts the container runtime socket \"/run/containerd/containerd.sock\" at \"/c.sock\"",
	}
}

test_parent_directory_denied if {
	r := runtime_socket.deny with input as _fact([{"type": "bind", "source": "/run/crio", "destination": "/host-run", "read_write": false}])
	r == {"container \"ci\" mounts host directory \"/run/crio\" at \"/host-run\", which contains the container runtime socket \"/run/crio/crio.sock\""}
}

test_unrelated_mounts_allowed if {
	r := runtime_socket.deny with input as _fact([
		{"type": "bind", "source": "/srv/app", "destination": "/app", "read_write": true},
		{"type": "bind", "source": "/", "destination": "/host", "read_write": false},
		{"type": "volume", "source": "docker.sock", "destination": "/x", "read_write": true},
		{"type": "bind", "source": "/run/docker.socket.d", "destination": "/y", "read_write": true},
	])
	count(r) == 0
}
