# METADATA
# title: Connection to a container runtime or kubelet API port
# description: >-
#   A process in a container opened a TCP connection to the Docker Engine API port
#   (2375 plain, 2376 TLS) or the kubelet API (10250, read-only 10255). Workloads do
#   not drive the container runtime or kubelet; from a container this is discovery
#   or an attempt to run containers on the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-023
#   kind: network_connection
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the process and what it asked the API; firewall the Docker (2375/2376) and kubelet (10250/10255) ports from workloads."
#   frameworks:
#     mitre: ["T1609", "T1613"]
package vigil.runtime.runtime_api_connection

import data.vigil.lib.event
import data.vigil.lib.text

_ports := {2375, 2376, 10250, 10255}

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	fact.remote_port in _ports
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s connected to %s:%d, a container runtime or kubelet API port", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port])
}
