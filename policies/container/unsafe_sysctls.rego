# METADATA
# title: Container sets unsafe sysctls
# description: >-
#   Only the namespaced sysctls of the Pod Security Standards' safe set
#   (data.vigil.config.allowed_sysctls) are isolated from other workloads; others can
#   affect the whole node or weaken its network stack.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-034
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove the sysctl, or set it on the node; allowlist reviewed ones in
#     data.vigil.config.allowed_sysctls.
#   frameworks:
#     pss: ["baseline/sysctls"]
package vigil.container.unsafe_sysctls

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some name, value in c.sysctls
	not name in config.value("allowed_sysctls")
	msg := sprintf(
		"container %s sets sysctl %s=%s, which is not in the safe set",
		[text.quote(container.display_name(c)), name, value],
	)
}
