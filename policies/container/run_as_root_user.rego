# METADATA
# title: Container runs as uid 0
# description: >-
#   The container's user is root (runAsUser 0, --user root or 0, or an image that
#   defaults to root as resolved by the collector). The restricted Pod Security Standard
#   forbids runAsUser 0.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-037
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Run as a non-zero uid: securityContext.runAsUser, --user, or a USER instruction in
#     the image.
#   frameworks:
#     pss: ["restricted/running-as-non-root-user"]
package vigil.container.run_as_root_user

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	container.uid(c) == 0
	msg := _message(c)
}

# Kubernetes, as Pod Security decides it: runAsUser 0 set on the pod or on the
# container, whichever wins; pods with their own user namespace are exempt.
deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	not container.pss_relaxed_for_user_namespace(c)
	some field in ["pod_run_as_user", "container_run_as_user"]
	c.kubernetes[field] == 0
	msg := _message(c)
}

_message(c) := sprintf("container %s runs as root (uid 0)", [text.quote(container.display_name(c))])
