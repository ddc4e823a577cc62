# METADATA
# title: Container CPU priority is not set
# description: >-
#   The container runs with the default CPU shares (1024) and no CPU limit, so it
#   competes equally with every other container and can starve them.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-015
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Set --cpu-shares or --cpus (resources.requests/limits.cpu) according to the
#     workload's priority.
#   frameworks:
#     cis-docker: ["5.12"]
package vigil.container.cpu_priority

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	container.resource(c, "cpu_shares", 0) in {0, 1024}
	container.resource(c, "nano_cpus", 0) <= 0
	msg := sprintf(
		"container %s has neither CPU shares nor a CPU limit set",
		[text.quote(container.display_name(c))],
	)
}
