# METADATA
# title: Live restore not enabled
# description: >-
#   Without live-restore every daemon restart or upgrade stops all containers, which
#   discourages timely patching of the daemon.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-014
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Set "live-restore": true in daemon.json (not compatible with swarm mode).
#   frameworks:
#     cis-docker: ["2.15"]
package vigil.host.live_restore

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	not d.live_restore
	msg := sprintf("host %s: Docker daemon does not keep containers running when it stops (live-restore)", [text.quote(host.display_name(h))])
}
