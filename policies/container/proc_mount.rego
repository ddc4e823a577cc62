# METADATA
# title: Container unmasks /proc
# description: >-
#   procMount Unmasked removes the masking of sensitive /proc paths (kcore, keys, sysrq-
#   trigger, ...); the baseline Pod Security Standard requires the Default proc mount,
#   except in a pod with its own user namespace (hostUsers: false), where only the
#   restricted level does (VGL-CTR-041).
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-033
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Remove securityContext.procMount or set it to Default.
#   frameworks:
#     pss: ["baseline/proc-mount-type"]
#     mitre: ["T1611"]
package vigil.container.proc_mount

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	mount_type := object.get(container.k8s(c), "proc_mount", "")
	not mount_type in {"", "Default"}
	not container.pss_relaxed_for_user_namespace(c)
	msg := sprintf(
		"container %s uses procMount %s, which unmasks /proc",
		[text.quote(container.display_name(c)), text.quote(mount_type)],
	)
}
