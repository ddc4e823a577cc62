# METADATA
# title: docker exec with --user root
# description: >-
#   A process was started in the container with docker exec --user root (or uid 0),
#   overriding the non-root user the container was meant to run as.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-022
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Do not exec into containers as root; rebuild the image or use a debug container
#     instead.
#   frameworks:
#     cis-docker: ["5.24"]
package vigil.container.exec_root

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	split(c.exec_user, ":")[0] in {"root", "0"}
	msg := sprintf(
		"exec as root (user %s) in container %s: %s",
		[text.quote(c.exec_user), text.quote(container.display_name(c)), concat(" ", c.exec_command)],
	)
}
