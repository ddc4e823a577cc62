package vigil.runtime.network_scanner_test

import data.vigil.runtime.network_scanner

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_nmap_denied if {
	r := network_scanner.deny with input as _fact({"pid": 500, "comm": "nmap", "exe": "/usr/bin/nmap", "args": ["nmap", "-sS", "10.0.0.0/24"]})
	count(r) == 1
	r == {"network scanner /usr/bin/nmap (pid 500) run in container \"web\": nmap -sS 10.0.0.0/24"}
}

test_masscan_by_exe_denied if {
	r := network_scanner.deny with input as _fact({"pid": 501, "comm": "m", "exe": "/tmp/masscan", "args": ["m"]})
	r == {"network scanner /tmp/masscan (pid 501) run in container \"web\": m"}
}

test_allowed_image_allowed if {
	r := network_scanner.deny with input as _fact({"pid": 500, "comm": "nmap", "exe": "/usr/bin/nmap", "args": []})
		with data.vigil.config.runtime_network_tool_allowed_images as ["nginx:1.27"]
	count(r) == 0
}

test_other_allowed if {
	count(network_scanner.deny) == 0 with input as _fact({"pid": 1, "comm": "curl", "exe": "/usr/bin/curl", "args": []})
}
