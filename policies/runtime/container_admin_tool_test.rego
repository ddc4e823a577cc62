package vigil.runtime.container_admin_tool_test

import data.vigil.runtime.container_admin_tool

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_docker_cli_denied if {
	r := container_admin_tool.deny with input as _fact({"pid": 1100, "comm": "docker", "exe": "/tmp/docker", "args": ["docker", "-H", "unix:///var/run/docker.sock", "run", "--privileged", "alpine"]})
	count(r) == 1
	r == {"container management tool /tmp/docker (pid 1100) run in container \"web\": docker -H unix:///var/run/docker.sock run --privileged alpine"}
}

test_kubectl_by_exe_denied if {
	r := container_admin_tool.deny with input as _fact({"pid": 1101, "comm": "k", "exe": "/usr/local/bin/kubectl", "args": ["kubectl", "get", "secrets", "-A"]})
	r == {"container management tool /usr/local/bin/kubectl (pid 1101) run in container \"web\": kubectl get secrets -A"}
}

test_allowed_image_allowed if {
	r := container_admin_tool.deny with input as _fact({"pid": 1100, "comm": "docker", "exe": "/usr/local/bin/docker", "args": []})
		with data.vigil.config.runtime_admin_tool_allowed_images as ["nginx:*"]
	count(r) == 0
}

test_other_allowed if {
	count(container_admin_tool.deny) == 0 with input as _fact({"pid": 1, "comm": "dockerd-rootless", "exe": "/usr/bin/dockerd-rootless", "args": []})
}
