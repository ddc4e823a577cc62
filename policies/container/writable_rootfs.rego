# METADATA
# title: Container root filesystem is writable
# description: >-
#   The container's root filesystem is not mounted read-only, so an attacker can
#   drop tools and modify binaries inside it. Write only to volumes or tmpfs.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-011
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Run with --read-only (readOnlyRootFilesystem true) and mount volumes or
#     tmpfs for the paths the workload writes to.
#   frameworks:
#     cis-docker: ["5.13"]
package vigil.container.writable_rootfs

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not c.read_only_rootfs
	msg := sprintf(
		"container %s has a writable root filesystem",
		[text.quote(container.display_name(c))],
	)
}
