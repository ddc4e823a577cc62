# METADATA
# title: docker exec with --privileged
# description: >-
#   A process was started in the container with docker exec --privileged, which gives it
#   every capability and removes its confinement even though the container itself is not
#   privileged.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-021
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Do not use docker exec --privileged; restrict who may call the Docker API and
#     review why it was used.
#   frameworks:
#     cis-docker: ["5.23"]
#     mitre: ["T1611"]
package vigil.container.exec_privileged

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	c.exec_privileged
	msg := sprintf(
		"privileged exec in container %s: %s",
		[text.quote(container.display_name(c)), concat(" ", c.exec_command)],
	)
}
