# METADATA
# title: No default ulimits configured
# description: >-
#   Without default-ulimits containers inherit the daemon's (often unlimited) limits on
#   open files and processes. The right values depend on the workloads, so this is a
#   prompt for review.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-007
#   kind: host
#   severity: LOW
#   maturity: incubating
#   recommended_action: >-
#     Set "default-ulimits" (at least nofile and nproc) in daemon.json.
#   frameworks:
#     cis-docker: ["2.8"]
package vigil.host.default_ulimits

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	count(d.default_ulimits) == 0
	msg := sprintf("host %s: Docker daemon sets no default ulimits", [text.quote(host.display_name(h))])
}
