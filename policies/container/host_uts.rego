# METADATA
# title: Container shares the host's UTS namespace
# description: >-
#   Sharing the host's UTS namespace lets the container change the host's hostname and domain name.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-008
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Remove --uts=host.
#   frameworks:
#     cis-docker: ["5.21"]
package vigil.container.host_uts

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	container.shares_host(input.container, "uts")
	msg := sprintf(
		"container %s shares the host's UTS namespace",
		[text.quote(container.display_name(input.container))],
	)
}
