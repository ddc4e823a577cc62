# METADATA
# title: Container overrides the default ulimits
# description: >-
#   The container sets its own ulimits instead of the daemon-wide defaults. CIS
#   recommends overriding them only when needed; review that the values are deliberate
#   and not raised to unlimited.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-019
#   kind: container
#   severity: LOW
#   maturity: incubating
#   recommended_action: >-
#     Rely on the daemon's --default-ulimit and override per container only where the
#     workload needs it; add an exception for reviewed containers.
#   frameworks:
#     cis-docker: ["5.19"]
package vigil.container.ulimit_override

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	count(c.ulimits) > 0
	names := sort({u.name | some u in c.ulimits})
	msg := sprintf(
		"container %s overrides the daemon's default ulimits: %s",
		[text.quote(container.display_name(c)), concat(", ", names)],
	)
}
