# METADATA
# title: Container runs without seccomp
# description: >-
#   The container's seccomp profile is "unconfined", so every system call is
#   available to it, including those the default profile blocks to stop escapes
#   (keyctl, add_key, unshare, mount, bpf, ...).
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-009
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Remove --security-opt seccomp=unconfined (seccompProfile Unconfined); use the
#     runtime's default profile or a custom profile that allows what the workload needs.
#   frameworks:
#     cis-docker: ["5.22"]
#     pss: ["baseline/seccomp"]
#     mitre: ["T1611"]
package vigil.container.seccomp_unconfined

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	_unconfined(input.container)
	msg := sprintf(
		"container %s runs without a seccomp profile (unconfined)",
		[text.quote(container.display_name(input.container))],
	)
}

_unconfined(c) if lower(c.seccomp_profile) == "unconfined"

# The pod's own field, even where the container overrides it.
_unconfined(c) if c.kubernetes.pod_seccomp_profile == "unconfined"
