# METADATA
# title: Container unmasks /proc
# description: >-
#   procMount Unmasked removes the masking of sensitive /proc paths (kcore, keys, sysrq-
#   trigger, ...); the baseline Pod Security Standard requires the Default proc mount.
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
	not lower(mount_type) in {"", "default"}
	msg := sprintf(
		"container %s uses procMount %s, which unmasks /proc",
		[text.quote(container.display_name(c)), text.quote(mount_type)],
	)
}
