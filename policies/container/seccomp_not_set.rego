# METADATA
# title: Container does not set a seccomp profile
# description: >-
#   The restricted Pod Security Standard requires an explicit seccomp profile
#   (RuntimeDefault or Localhost); without one Kubernetes runs the container unconfined
#   unless the kubelet defaults to RuntimeDefault. An explicit Unconfined profile is
#   reported by VGL-CTR-009.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-038
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost with a
#     reviewed profile).
#   frameworks:
#     pss: ["restricted/seccomp"]
package vigil.container.seccomp_not_set

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.windows_pod(c)
	c.seccomp_profile == ""
	msg := sprintf(
		"container %s does not set a seccomp profile",
		[text.quote(container.display_name(c))],
	)
}

# The restricted level also refuses an explicit Unconfined profile (the baseline
# control, VGL-CTR-009, reports it too; Pod Security's restricted check replaces it
# and, unlike it, exempts Windows pods).
deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	not container.windows_pod(c)
	"unconfined" in {lower(c.seccomp_profile), c.kubernetes.pod_seccomp_profile}
	msg := sprintf(
		"container %s runs with seccomp profile Unconfined; the restricted level requires RuntimeDefault or Localhost",
		[text.quote(container.display_name(c))],
	)
}
