# METADATA
# title: Container has no memory limit
# description: >-
#   Without a memory limit one container can exhaust the host's memory and get other
#   workloads (or the Docker daemon) killed by the OOM killer.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-014
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set --memory (resources.limits.memory) to what the workload needs.
#   frameworks:
#     cis-docker: ["5.11"]
package vigil.container.memory_limit

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	container.resource(c, "memory_bytes", 0) <= 0
	msg := sprintf(
		"container %s has no memory limit",
		[text.quote(container.display_name(c))],
	)
}
