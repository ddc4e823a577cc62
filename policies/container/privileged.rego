# METADATA
# title: Container runs privileged
# description: >-
#   A privileged container has every capability, sees all host devices and runs
#   without seccomp, AppArmor or SELinux confinement. Root in it is root on the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-001
#   kind: container
#   severity: CRITICAL
#   maturity: stable
#   recommended_action: Remove --privileged (privileged true); add only the capabilities and devices the workload needs.
#   frameworks:
#     cis-docker: ["5.5"]
#     pss: ["baseline/privileged-containers"]
#     mitre: ["T1611"]
package vigil.container.privileged

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	input.container.privileged
	msg := sprintf(
		"container %s runs privileged",
		[text.quote(container.display_name(input.container))],
	)
}
