package vigil.runtime.package_manager_test

import data.vigil.runtime.package_manager

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_apt_get_install_denied if {
	r := package_manager.deny with input as _fact({"pid": 300, "comm": "apt-get", "exe": "/usr/bin/apt-get", "args": ["apt-get", "install", "-y", "nmap"]})
	count(r) == 1
	r == {"package manager /usr/bin/apt-get (pid 300) run in container \"web\": apt-get install -y nmap"}
}

test_busybox_apk_denied if {
	r := package_manager.deny with input as _fact({"pid": 301, "comm": "x", "exe": "/sbin/apk", "args": ["apk", "add", "socat"]})
	r == {"package manager /sbin/apk (pid 301) run in container \"web\": apk add socat"}
}

test_other_tool_allowed if {
	count(package_manager.deny) == 0 with input as _fact({"pid": 1, "comm": "aptly", "exe": "/usr/bin/aptly", "args": []})
}

test_allowed_image_allowed if {
	r := package_manager.deny with input as _fact({"pid": 300, "comm": "apt-get", "exe": "/usr/bin/apt-get", "args": ["apt-get", "update"]})
		with data.vigil.config.runtime_package_manager_allowed_images as ["nginx:*"]
	count(r) == 0
}
