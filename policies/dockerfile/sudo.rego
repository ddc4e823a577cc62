# METADATA
# title: Dockerfile runs sudo
# description: >-
#   A RUN calls sudo (or doas). Build steps run as the current USER already, and sudo
#   in an image means a privilege escalation path left installed and configured.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-010
#   kind: dockerfile
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Switch with USER root for the steps that need it and back to the unprivileged user after; do not install sudo.
#   frameworks:
#     mitre: ["T1548.003"]
package vigil.dockerfile.sudo

import data.vigil.lib.build_commands
import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": run.line} if {
	some [run, command] in dockerfile.run_commands
	build_commands.uses_sudo(command)
	msg := sprintf("%s: RUN calls sudo: %s", [dockerfile.name, dockerfile.short(command)])
}
