# METADATA
# title: Container does not use the Default proc mount (restricted)
# description: >-
#   The restricted Pod Security Standard requires the Default proc mount in every pod.
#   The baseline level allows Unmasked in a pod with its own user namespace
#   (hostUsers: false) since Kubernetes 1.35, because the unmasked paths then belong to
#   the pod's user namespace; VGL-CTR-033 is the baseline control.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-041
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove securityContext.procMount or set it to Default.
#   frameworks:
#     pss: ["restricted/proc-mount-type"]
#     mitre: ["T1611"]
package vigil.container.proc_mount_restricted

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	mount_type := object.get(container.k8s(c), "proc_mount", "")
	not mount_type in {"", "Default"}
	msg := sprintf(
		"container %s uses procMount %s; the restricted level requires Default even with its own user namespace",
		[text.quote(container.display_name(c)), text.quote(mount_type)],
	)
}
