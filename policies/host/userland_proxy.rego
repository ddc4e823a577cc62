# METADATA
# title: Userland proxy enabled
# description: >-
#   The docker-proxy processes add attack surface and hide the client's source address;
#   hairpin NAT through iptables does the same job.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-015
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Set "userland-proxy": false in daemon.json.
#   frameworks:
#     cis-docker: ["2.16"]
package vigil.host.userland_proxy

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.userland_proxy
	msg := sprintf("host %s: Docker daemon uses the userland proxy for published ports", [text.quote(host.display_name(h))])
}
