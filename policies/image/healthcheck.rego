# METADATA
# title: Image has no HEALTHCHECK
# description: >-
#   The image defines no HEALTHCHECK, or disables it with HEALTHCHECK NONE. Without
#   one the engine cannot tell a hung or broken container from a healthy one, so it
#   is neither restarted nor taken out of service.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-002
#   kind: image
#   severity: LOW
#   maturity: stable
#   recommended_action: Add a HEALTHCHECK instruction that probes the service (e.g. HEALTHCHECK CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1).
#   frameworks:
#     cis-docker: ["4.6"]
package vigil.image.healthcheck

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	_missing(input.image.config)
	msg := sprintf("image %s has no HEALTHCHECK instruction", [text.quote(image.display_name(input.image))])
}

deny contains msg if {
	upper(input.image.config.health_check.test[0]) == "NONE"
	msg := sprintf("image %s disables its health check (HEALTHCHECK NONE)", [text.quote(image.display_name(input.image))])
}

_missing(config) if config.health_check == null

_missing(config) if count(config.health_check.test) == 0
