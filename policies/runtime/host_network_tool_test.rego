package vigil.runtime.host_network_tool_test

import data.vigil.runtime.host_network_tool

_fact(comm, host) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 5, "comm": comm, "exe": concat("", ["/usr/bin/", comm]), "args": [comm, "-lvp", "4444"]},
	"container": {"id": "", "host": host},
}}

test_nc_on_host_denied if {
	r := host_network_tool.deny with input as _fact("nc", true)
	count(r) == 1
	r == {"/usr/bin/nc (pid 5) run on the host: nc -lvp 4444"}
}

test_in_container_allowed if {
	count(host_network_tool.deny) == 0 with input as _fact("nc", false)
}

test_other_tool_allowed if {
	count(host_network_tool.deny) == 0 with input as _fact("curl", true)
}

test_listed_exe_allowed if {
	r := host_network_tool.deny with input as _fact("nmap", true)
		with data.vigil.config.runtime_host_network_tool_allowed_exes as ["nmap"]
	count(r) == 0
}
