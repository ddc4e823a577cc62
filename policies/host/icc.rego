# METADATA
# title: Inter-container communication is unrestricted
# description: >-
#   With icc enabled (Docker's default) every container on the default bridge can reach
#   every other container's ports, so one compromised container can attack its
#   neighbours.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-001
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set "icc": false in daemon.json and connect containers that must talk through
#     user-defined networks.
#   frameworks:
#     cis-docker: ["2.2"]
package vigil.host.icc

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.icc
	msg := sprintf("host %s: inter-container communication on the default bridge is enabled (icc)", [text.quote(host.display_name(h))])
}
