# METADATA
# title: Connection to a common mining pool port
# description: >-
#   A process in a container connected out to a port commonly used by
#   cryptocurrency mining pools (3333, 4444, 5555, 7777, 14444, 45700). The port
#   alone is not proof, so this is HIGH rather than CRITICAL; a workload whose profile
#   (data.vigil.profiles) lists the port in outbound_ports is not reported.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-027
#   kind: network_connection
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Check the destination and the process (often also reported by VGL-RUN-004/003); if the port is legitimate for this workload add it to its profile's outbound_ports."
#   frameworks:
#     mitre: ["T1496"]
package vigil.runtime.miner_pool_port

import data.vigil.lib.event
import data.vigil.lib.text

_ports := {3333, 4444, 5555, 7777, 14444, 45700}

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	fact.remote_port in _ports
	not _profile_allows(fact.container, fact.remote_port)
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s connected to %s:%d, a common mining pool port", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port])
}

_profile_allows(c, port) if port in object.get(event.profile(c), "outbound_ports", [])
