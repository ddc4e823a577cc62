# METADATA
# title: Container shares the host's IPC namespace
# description: >-
#   Sharing the host's IPC namespace exposes host shared memory segments, semaphores and message queues to the container.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-007
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: Remove --ipc=host (hostIPC true).
#   frameworks:
#     cis-docker: ["5.17"]
#     pss: ["baseline/host-namespaces"]
#     mitre: ["T1611"]
package vigil.container.host_ipc

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	container.shares_host(input.container, "ipc")
	msg := sprintf(
		"container %s shares the host's IPC namespace",
		[text.quote(container.display_name(input.container))],
	)
}
