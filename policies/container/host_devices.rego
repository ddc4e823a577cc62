# METADATA
# title: Host device exposed to a container
# description: >-
#   A host device node mapped into the container (--device) gives it direct access to
#   hardware such as disks, which can be read or written below every file permission.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-018
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove --device mappings the workload does not need, grant read-only (r) where
#     possible, or allowlist the device in data.vigil.config.allowed_devices.
#   frameworks:
#     cis-docker: ["5.18"]
#     mitre: ["T1611"]
package vigil.container.host_devices

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some d in c.devices
	not d.path_on_host in config.value("allowed_devices")
	msg := sprintf(
		"container %s has host device %s mapped at %s (%s)",
		[text.quote(container.display_name(c)), text.quote(d.path_on_host), text.quote(d.path_in_container), d.permissions],
	)
}
