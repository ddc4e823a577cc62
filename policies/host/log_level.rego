# METADATA
# title: Docker daemon log level is not info
# description: >-
#   The info level records the events needed for later review without the volume (and
#   possible secrets) of debug logging, and without losing them as warn or error would.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-002
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Set "log-level": "info" in daemon.json and remove --debug.
#   frameworks:
#     cis-docker: ["2.3"]
package vigil.host.log_level

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.log_level != ""
	lower(d.log_level) != "info"
	msg := sprintf("host %s: Docker daemon log level is %s, not info", [text.quote(host.display_name(h)), text.quote(d.log_level)])
}
