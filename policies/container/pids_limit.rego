# METADATA
# title: Container has no PIDs limit
# description: >-
#   Without a PIDs cgroup limit a fork bomb inside the container can exhaust the host's
#   process table.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-026
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set --pids-limit to a value that fits the workload.
#   frameworks:
#     cis-docker: ["5.29"]
package vigil.container.pids_limit

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	container.resource(c, "pids_limit", 0) <= 0
	msg := sprintf(
		"container %s has no PIDs limit",
		[text.quote(container.display_name(c))],
	)
}
