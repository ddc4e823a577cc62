# METADATA
# title: Listen on a port the image does not expose
# description: >-
#   A process in a container listens on a port its image does not declare with
#   EXPOSE, while the image declares others: a bind shell, a backdoor or a tool
#   started by hand, not the service the image was built to run. Images that
#   expose nothing are not judged (their authors declared no intent). Reads the
#   image fact as context.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-056
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   context: ["image"]
#   recommended_action: Find what opened the port; if the service is meant to listen there, declare it with EXPOSE and rebuild.
#   frameworks:
#     mitre: ["T1571", "T1205"]
package vigil.runtime.unexposed_listen

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "listen"
	exposed := input.context.image.config.exposed_ports
	count(exposed) > 0
	port := sprintf("%d/%s", [fact.local_port, lower(fact.protocol)])
	not port in exposed
	msg := sprintf("%s (pid %d) in container %s listens on %s, which its image does not expose (it exposes %s)", [
		event.exe(fact.process), fact.process.pid, text.quote(event.name(fact.container)), port,
		concat(", ", sort(exposed)),
	])
}
