# METADATA
# title: Build downloads a script and pipes it to a shell
# description: >-
#   A RUN instruction fetched content with curl or wget and piped it straight into a
#   shell or interpreter (curl ... | sh). Whatever the server returned at build time
#   ran unverified as the build user. Read from the image history.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-011
#   kind: image
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Download to a file, verify a pinned checksum or signature, then run it; or install from a signed package repository.
#   frameworks:
#     cis-docker: ["4.11"]
#     mitre: ["T1195.002"]
package vigil.image.pipe_to_shell

import data.vigil.lib.build_commands
import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some entry in input.image.history
	build_commands.pipes_download_to_shell(entry.created_by)
	msg := sprintf("image %s pipes a download into a shell at build time: %s", [text.quote(image.display_name(input.image)), substring(entry.created_by, 0, 160)])
}
