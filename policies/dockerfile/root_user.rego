# METADATA
# title: Dockerfile runs its final stage as root
# description: >-
#   The final stage sets no USER, or its last USER is root (0). The container then
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
	count(_users) == 0
	msg := sprintf("%s: the final stage (FROM %s) sets no USER and runs as root", [dockerfile.name, dockerfile.final_stage.base])
}

deny contains {"msg": msg, "line": last.line} if {
	count(_users) > 0
	last := _users[count(_users) - 1]
	split(trim_space(last.arguments), ":")[0] in {"root", "0"}
	msg := sprintf("%s: the final stage runs as root (USER %s)", [dockerfile.name, trim_space(last.arguments)])
}

_users := [i | some i in dockerfile.final_stage.instructions; i.keyword == "USER"]
