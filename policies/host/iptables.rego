# METADATA
# title: Docker may not change iptables
# description: >-
#   With iptables disabled Docker cannot install the firewall rules that isolate
#   container networks, and hand-made rules tend to drift from the containers that
#   exist.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-003
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove "iptables": false (--iptables=false) from the daemon configuration.
#   frameworks:
#     cis-docker: ["2.4"]
package vigil.host.iptables

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	not d.iptables
	msg := sprintf("host %s: Docker is not allowed to manage iptables", [text.quote(host.display_name(h))])
}
