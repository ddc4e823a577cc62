# METADATA
# title: Container shares the host's PID namespace
# description: >-
#   Sharing the host's PID namespace lets the container see every host process and, with enough privilege, signal, trace or enter them (nsenter), which is a direct path out of the container.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-005
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: Remove --pid=host (hostPID true).
#   frameworks:
#     cis-docker: ["5.16"]
#     pss: ["baseline/host-namespaces"]
#     mitre: ["T1611"]
package vigil.container.host_pid

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	container.shares_host(input.container, "pid")
	msg := sprintf(
		"container %s shares the host's PID namespace",
		[text.quote(container.display_name(input.container))],
	)
}
