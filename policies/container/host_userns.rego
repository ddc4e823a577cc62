# METADATA
# title: Container shares the host's user namespace
# description: >-
#   With --userns=host the container opts out of the daemon's user namespace remapping,
#   so root in the container is root on the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-028
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove --userns=host.
#   frameworks:
#     cis-docker: ["5.31"]
#     mitre: ["T1611"]
package vigil.container.host_userns

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	container.shares_host(input.container, "userns")
	msg := sprintf(
		"container %s shares the host's user namespace",
		[text.quote(container.display_name(input.container))],
	)
}
