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

deny contains msg if {
	container.shares_host(input.container, "uts")
	msg := sprintf("container %q shares the host's UTS namespace", [container.display_name(input.container)])
}
