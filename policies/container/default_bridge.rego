# METADATA
# title: Container uses the default bridge network
# description: >-
#   Containers on the default docker0 bridge can reach each other unless inter-container
#   communication is disabled daemon-wide, and get no DNS-based isolation. User-defined
#   networks separate workloads.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-027
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Create a user-defined network per application (docker network create) and attach
#     the container to it.
#   frameworks:
#     cis-docker: ["5.30"]
package vigil.container.default_bridge

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	container.namespace_mode(c, "network") in {"bridge", "default"}
	msg := sprintf(
		"container %s is attached to the default bridge network (docker0)",
		[text.quote(container.display_name(c))],
	)
}
