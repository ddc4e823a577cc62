package vigil.container.host_ipc_test

import data.vigil.container.host_ipc

test_host_ipc_denied if {
	r := host_ipc.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"ipc": "host"}}}
	r == {"container \"agent\" shares the host's IPC namespace"}
}

test_private_ipc_allowed if {
	r := host_ipc.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": {"ipc": "container:abc"}}}
	count(r) == 0
}

test_no_namespaces_allowed if {
	r := host_ipc.deny with input as {"kind": "container", "container": {"name": "agent", "namespaces": null}}
	count(r) == 0
}
