# METADATA
# title: ADD downloads remote content
# description: >-
#   An ADD instruction fetched a URL (http, https, ftp or git) at build time. The
#   content is not verified unless --checksum is given, may change between builds,
#   and can be swapped by whoever controls the server or the path to it. Read from
#   the image history.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-006
#   kind: image
#   severity: HIGH
#   maturity: stable
#   recommended_action: Download in a RUN step with curl/wget and verify a pinned checksum or signature, or use ADD --checksum=sha256:... ; prefer COPY of vendored content.
#   frameworks:
#     cis-docker: ["4.9", "4.11"]
#     mitre: ["T1195.002"]
package vigil.image.add_remote_url

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some entry in input.image.history
	args := _add_args(entry.created_by)
	regex.match(`(?i)(https?|ftp)://|git@`, args)
	not contains(args, "--checksum=")
	msg := sprintf("image %s downloads remote content with ADD: ADD %s", [text.quote(image.display_name(input.image)), substring(args, 0, 160)])
}

_add_args(created_by) := trim_space(substring(instruction, 4, -1)) if {
	instruction := _instruction(created_by)
	startswith(instruction, "ADD ")
}

_instruction(created_by) := trim_space(trim_suffix(trim_space(parts[count(parts) - 1]), "# buildkit")) if {
	parts := split(created_by, "#(nop)")
}
