# METADATA
# title: Kubernetes container uses host ports
# description: >-
#   The baseline Pod Security Standard disallows hostPort (except a known list,
#   data.vigil.config.allowed_host_ports): it binds the node's interfaces directly and
#   bypasses Service and NetworkPolicy design. Docker's published ports are covered by
#   the CIS port rules instead.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-031
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove hostPort and expose the container through a Service; allowlist reviewed
#     ports in data.vigil.config.allowed_host_ports.
#   frameworks:
#     pss: ["baseline/host-ports"]
package vigil.container.host_ports

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	some p in c.ports
	p.host_port != 0
	not p.host_port in config.value("allowed_host_ports")
	msg := sprintf(
		"container %s uses host port %d for container port %d/%s",
		[text.quote(container.display_name(c)), p.host_port, p.container_port, p.protocol],
	)
}
