# METADATA
# title: Container is not required to run as non-root
# description: >-
#   The restricted Pod Security Standard requires runAsNonRoot true. Docker has no such
#   switch, so a container whose user is known to be non-zero (configured or resolved
#   from the image) also satisfies this rule.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-036
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set securityContext.runAsNonRoot true (Kubernetes) or run with --user <non-zero
#     uid> (Docker) and build images with a non-root USER.
#   frameworks:
#     pss: ["restricted/running-as-non-root"]
package vigil.container.run_as_non_root

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	_explicitly_false(c)
	msg := sprintf(
		"container %s sets runAsNonRoot to false",
		[text.quote(container.display_name(c))],
	)
}

deny contains msg if {
	c := input.container
	not _explicitly_false(c)
	not _required(c)
	msg := sprintf(
		"container %s is not required to run as non-root (no runAsNonRoot and no non-zero user)",
		[text.quote(container.display_name(c))],
	)
}

_explicitly_false(c) if c.run_as_non_root == false

_required(c) if c.run_as_non_root == true

_required(c) if container.uid(c) > 0
