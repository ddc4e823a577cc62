# METADATA
# title: Mount with shared propagation
# description: >-
#   A mount with shared propagation lets mounts made inside the container appear on the
#   host (and the other way round), so the container can change the host's mount table.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-020
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Use private or slave propagation (the default rprivate); only storage drivers that
#     truly need it should use rshared.
#   frameworks:
#     cis-docker: ["5.20"]
#     mitre: ["T1611"]
package vigil.container.shared_propagation

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some m in c.mounts
	lower(m.propagation) in {"shared", "rshared"}
	msg := sprintf(
		"container %s mounts %s at %s with %s propagation",
		[text.quote(container.display_name(c)), text.quote(m.source), text.quote(m.destination), lower(m.propagation)],
	)
}
