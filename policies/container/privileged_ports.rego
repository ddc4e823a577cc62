# METADATA
# title: Container maps a privileged host port
# description: >-
#   A published host port below 1025 (data.vigil.config.privileged_port_max) is one that
#   normally only root may bind; mapping one from a container lets it impersonate system
#   services such as SSH, DNS or HTTP.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-013
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Publish the service on a host port above 1024 and put a load balancer or reverse
#     proxy in front of it if it must answer on a low port.
#   frameworks:
#     cis-docker: ["5.8"]
package vigil.container.privileged_ports

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some p in c.ports
	p.host_port > 0
	p.host_port <= config.value("privileged_port_max")
	msg := sprintf(
		"container %s maps privileged host port %d to container port %d/%s",
		[text.quote(container.display_name(c)), p.host_port, p.container_port, p.protocol],
	)
}
