# METADATA
# title: Non-default daemon cgroup parent
# description: >-
#   The daemon places containers under a cgroup parent other than its default; confirm
#   the parent applies the intended resource limits.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-009
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Remove "cgroup-parent" unless it is deliberate; allowlist reviewed parents in
#     data.vigil.config.allowed_cgroup_parents.
#   frameworks:
#     cis-docker: ["2.10"]
package vigil.host.cgroup_parent

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	not d.cgroup_parent in config.value("allowed_cgroup_parents")
	msg := sprintf("host %s: Docker daemon uses non-default cgroup parent %s", [text.quote(host.display_name(h)), text.quote(d.cgroup_parent)])
}
