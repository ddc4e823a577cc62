package vigil.container.host_process_test

import data.vigil.container.host_process

test_host_process_denied if {
	r := host_process.deny with input as {"kind": "container", "container": {"name": "win", "kubernetes": {"windows_host_process": ["spec.securityContext.windowsOptions.hostProcess"]}}}
	r == {"container \"win\" runs as a Windows HostProcess container (spec.securityContext.windowsOptions.hostProcess)"}
}

test_regular_pod_allowed if {
	r := host_process.deny with input as {"kind": "container", "container": {"name": "win", "kubernetes": {"windows_host_process": []}}}
	count(r) == 0
}

test_docker_allowed if {
	r := host_process.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null}}
	count(r) == 0
}
