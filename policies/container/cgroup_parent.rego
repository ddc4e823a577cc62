# METADATA
# title: Container uses a non-default cgroup parent
# description: >-
#   The container is placed under a cgroup parent other than the daemon's default, which
#   may escape the resource limits set for containers. Confirm it is intended.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-023
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Remove --cgroup-parent unless the placement is deliberate; allowlist reviewed
#     parents in data.vigil.config.allowed_cgroup_parents.
#   frameworks:
#     cis-docker: ["5.25"]
package vigil.container.cgroup_parent

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	parent := container.resource(c, "cgroup_parent", "")
	not parent in config.value("allowed_cgroup_parents")
	msg := sprintf(
		"container %s runs under non-default cgroup parent %s",
		[text.quote(container.display_name(c)), text.quote(parent)],
	)
}
