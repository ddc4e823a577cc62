# METADATA
# title: Dockerfile pipes a download into a shell
# description: >-
#   A RUN fetches content with curl or wget and pipes it straight into a shell or
#   interpreter (curl ... | sh): whatever the server returns runs unverified as the
#   build user.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-006
#   kind: dockerfile
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Download to a file, verify a pinned checksum or signature, then run it; or install from a signed package repository.
#   frameworks:
#     cis-docker: ["4.11"]
#     mitre: ["T1195.002"]
package vigil.dockerfile.pipe_to_shell

import data.vigil.lib.build_commands
import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": run.line} if {
	some [run, command] in dockerfile.run_commands
	build_commands.pipes_download_to_shell(command)
	msg := sprintf("%s: RUN pipes a download into a shell: %s", [dockerfile.name, dockerfile.short(command)])
}
