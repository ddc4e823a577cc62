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
	not container.is_kubernetes(c)
	_explicitly_false(c)
	msg := _set_false(c)
}

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	not _explicitly_false(c)
	not _required(c)
	msg := _not_required(c)
}

# Kubernetes, as Pod Security decides it: the pod's and the container's own
# values apart, runAsUser does not count, and pods with their own user
# namespace (hostUsers: false) are exempt.
deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	not container.pss_relaxed_for_user_namespace(c)
	_k8s_explicitly_false(c.kubernetes)
	msg := _set_false(c)
}

deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	not container.pss_relaxed_for_user_namespace(c)
	not _k8s_explicitly_false(c.kubernetes)
	not c.kubernetes.container_run_as_non_root == true
	not c.kubernetes.pod_run_as_non_root == true
	msg := _not_required(c)
}

_set_false(c) := sprintf("container %s sets runAsNonRoot to false", [text.quote(container.display_name(c))])

_not_required(c) := sprintf(
	"container %s is not required to run as non-root (no runAsNonRoot and no non-zero user)",
	[text.quote(container.display_name(c))],
)

_explicitly_false(c) if c.run_as_non_root == false

_required(c) if c.run_as_non_root == true

_required(c) if container.uid(c) > 0

_k8s_explicitly_false(k) if k.pod_run_as_non_root == false

_k8s_explicitly_false(k) if k.container_run_as_non_root == false
