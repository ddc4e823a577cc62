# METADATA
# title: Experimental features enabled
# description: >-
#   Experimental features are not covered by Docker's stability and security guarantees
#   and should not run in production.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-017
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Remove "experimental": true from daemon.json.
#   frameworks:
#     cis-docker: ["2.18"]
package vigil.host.experimental

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.experimental
	msg := sprintf("host %s: Docker daemon runs with experimental features enabled", [text.quote(host.display_name(h))])
}
