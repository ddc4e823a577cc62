# METADATA
# title: Container has no health check
# description: >-
#   Neither the container nor its image defines a HEALTHCHECK, so Docker cannot tell a
#   hung or compromised service from a healthy one. Kubernetes containers are not
#   checked (probes are not part of the fact).
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-025
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Add a HEALTHCHECK to the image or --health-cmd to the container.
#   frameworks:
#     cis-docker: ["5.27"]
package vigil.container.health_check

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	_missing(c.health_check)
	msg := sprintf(
		"container %s has no health check",
		[text.quote(container.display_name(c))],
	)
}

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	upper(c.health_check.test[0]) == "NONE"
	msg := sprintf(
		"container %s has its health check disabled",
		[text.quote(container.display_name(c))],
	)
}

_missing(null)

_missing(check) if count(check.test) == 0
