# METADATA
# title: Listening socket outside the workload profile
# description: >-
#   A process in a container started listening on a port that the workload's
#   profile (data.vigil.profiles, keyed by container name, image reference or image
#   repository) does not list in listen_ports. Fires only for workloads whose profile
#   defines listen_ports; a bind shell or backdoor shows up this way.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-025
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the port is legitimate add it to listen_ports in the workload's profile; otherwise look for a bind shell or backdoor."
#   frameworks:
#     mitre: ["T1571", "T1205"]
package vigil.runtime.unexpected_listen

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "listen"
	profile := event.profile(fact.container)
	"listen_ports" in object.keys(profile)
	not fact.local_port in profile.listen_ports
	msg := sprintf("%s (pid %d) in container %s listens on %s port %d, which is not in its profile", [event.exe(fact.process), fact.process.pid, text.quote(event.name(fact.container)), fact.protocol, fact.local_port])
}
