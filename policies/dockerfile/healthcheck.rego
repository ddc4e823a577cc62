# METADATA
# title: Dockerfile declares no HEALTHCHECK
# description: >-
#   The final stage has no HEALTHCHECK instruction, or turns the check off with
#   HEALTHCHECK NONE, so the engine cannot tell a hung service from a healthy one.
#   A base image's own HEALTHCHECK is not visible before the build.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-002
#   kind: dockerfile
#   severity: LOW
#   maturity: stable
#   recommended_action: Add a HEALTHCHECK that probes the service (e.g. HEALTHCHECK CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1).
#   frameworks:
#     cis-docker: ["4.6"]
package vigil.dockerfile.healthcheck

import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": dockerfile.final_stage.line} if {
	not dockerfile.last_in_lineage("HEALTHCHECK")
	msg := sprintf("%s: the final stage (FROM %s) has no HEALTHCHECK instruction", [dockerfile.name, dockerfile.final_stage.base])
}

deny contains {"msg": msg, "line": check.line} if {
	check := dockerfile.last_in_lineage("HEALTHCHECK")
	upper(split(trim_space(check.arguments), " ")[0]) == "NONE"
	msg := sprintf("%s: HEALTHCHECK NONE turns the health check off", [dockerfile.name])
}
