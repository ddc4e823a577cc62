# METADATA
# title: Dockerfile runs its final stage as root
# description: >-
#   The final stage sets no USER, or its last USER is root (0); a stage built on an
#   earlier one inherits that one's USER. The container then
#   runs as root unless the base image switched users itself. Judged before any
#   build, at the line of the FROM or of the USER.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-001
#   kind: dockerfile
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Create an unprivileged user and end the final stage with USER (e.g. USER 10001:10001).
#   frameworks:
#     cis-docker: ["4.1"]
package vigil.dockerfile.root_user

import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": dockerfile.final_stage.line} if {
	not dockerfile.last_in_lineage("USER")
	msg := sprintf("%s: the final stage (FROM %s) sets no USER and runs as root", [dockerfile.name, dockerfile.final_stage.base])
}

deny contains {"msg": msg, "line": last.line} if {
	last := dockerfile.last_in_lineage("USER")
	split(trim_space(last.arguments), ":")[0] in {"root", "0"}
	msg := sprintf("%s: the final stage runs as root (USER %s)", [dockerfile.name, trim_space(last.arguments)])
}
