# METADATA
# title: User namespace remapping not enabled
# description: >-
#   Without userns-remap uid 0 inside a container is uid 0 on the host, so any escape
#   lands as root.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-008
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set "userns-remap": "default" in daemon.json (check that volumes and images work
#     with remapped ids).
#   frameworks:
#     cis-docker: ["2.9"]
#     mitre: ["T1611"]
package vigil.host.userns_remap

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.userns_remap == ""
	msg := sprintf("host %s: Docker daemon does not remap container users (userns-remap)", [text.quote(host.display_name(h))])
}
