# METADATA
# title: Windows HostProcess container
# description: >-
#   A Windows HostProcess container runs directly on the node with the host's network
#   and file system and can act as SYSTEM; the baseline Pod Security Standard forbids
#   it.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-029
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Remove windowsOptions.hostProcess; run node-level tooling as a reviewed DaemonSet
#     in an exempt namespace.
#   frameworks:
#     pss: ["baseline/host-process"]
#     mitre: ["T1611"]
package vigil.container.host_process

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	fields := object.get(container.k8s(c), "windows_host_process", [])
	count(fields) > 0
	msg := sprintf(
		"container %s runs as a Windows HostProcess container (%s)",
		[text.quote(container.display_name(c)), concat(", ", fields)],
	)
}
