# METADATA
# title: Container runs without AppArmor
# description: >-
#   The container's AppArmor profile is explicitly "unconfined" (or its
#   Kubernetes AppArmor annotation says so), which removes the mandatory access
#   control that blocks writes to /proc and /sys and mounting. An empty profile
#   means the host has no AppArmor and is not reported.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-010
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Remove --security-opt apparmor=unconfined (appArmorProfile Unconfined); use
#     docker-default / RuntimeDefault or a profile written for the workload.
#   frameworks:
#     cis-docker: ["5.2"]
#     pss: ["baseline/apparmor"]
#     mitre: ["T1611"]
package vigil.container.apparmor_unconfined

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	_unconfined(input.container)
	msg := sprintf(
		"container %s runs without an AppArmor profile (unconfined)",
		[text.quote(container.display_name(input.container))],
	)
}

# Kubernetes: every AppArmor annotation of the pod must name runtime/default or a
# localhost/ profile, as Pod Security requires.
deny contains msg if {
	c := input.container
	some key, value in object.get(container.k8s(c), "annotations", {})
	startswith(key, "container.apparmor.security.beta.kubernetes.io/")
	not _allowed_annotation(value)
	msg := sprintf(
		"container %s belongs to a pod whose annotation %s sets AppArmor profile %s",
		[text.quote(container.display_name(c)), key, text.quote(value)],
	)
}

_unconfined(c) if lower(c.apparmor_profile) == "unconfined"

# The pod's own field, even where the container overrides it.
_unconfined(c) if c.kubernetes.pod_apparmor_profile == "unconfined"

_allowed_annotation(value) if value in {"", "runtime/default"}

_allowed_annotation(value) if startswith(value, "localhost/")
