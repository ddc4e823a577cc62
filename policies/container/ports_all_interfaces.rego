# METADATA
# title: Container port published on every host interface
# description: >-
#   A port published without a host IP listens on every interface of the host, including
#   public ones, rather than only where it is needed.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-016
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Bind published ports to a specific interface: -p 10.0.0.5:8080:8080 (or 127.0.0.1
#     for local-only services).
#   frameworks:
#     cis-docker: ["5.14"]
package vigil.container.ports_all_interfaces

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some p in c.ports
	p.host_port > 0
	p.host_ip in {"", "0.0.0.0", "::", "[::]"}
	msg := sprintf(
		"container %s publishes port %d/%s on every host interface",
		[text.quote(container.display_name(c)), p.host_port, p.protocol],
	)
}
