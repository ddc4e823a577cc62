# METADATA
# title: Container publishes ports on the host
# description: >-
#   The container maps ports to the host. CIS Docker 5.9 asks that only the ports the
#   application needs are open; that is a judgement only its operator can make, so every
#   published port is listed here for review, as docker-bench-security does.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-044
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Publish only the ports the application serves (-p HOST:CONTAINER for those alone,
#     no -P); reach the others over a user-defined network. Waive reviewed ones with an exception.
#   frameworks:
#     cis-docker: ["5.9"]
package vigil.container.published_ports

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	published := sort([sprintf("%d->%d/%s", [p.host_port, p.container_port, p.protocol]) | some p in c.ports; p.host_port > 0])
	count(published) > 0
	msg := sprintf("container %s publishes host ports %s: check each is needed", [text.quote(container.display_name(c)), concat(", ", published)])
}
