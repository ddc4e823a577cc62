# METADATA
# title: Container may acquire new privileges
# description: >-
#   Without no-new-privileges (allowPrivilegeEscalation false) a process in the
#   container can gain privileges through setuid/setgid binaries or file capabilities.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-024
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Run with --security-opt no-new-privileges
#     (securityContext.allowPrivilegeEscalation false), or set no-new-privileges in
#     daemon.json.
#   frameworks:
#     cis-docker: ["5.26"]
#     pss: ["restricted/privilege-escalation"]
#     mitre: ["T1548"]
package vigil.container.no_new_privileges

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.windows_pod(c)
	not c.no_new_privileges
	msg := sprintf(
		"container %s can gain new privileges (no-new-privileges is not set)",
		[text.quote(container.display_name(c))],
	)
}
