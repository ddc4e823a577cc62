# METADATA
# title: ADD used instead of COPY
# description: >-
#   An ADD instruction copied local content into the image. ADD silently unpacks
#   archives and can fetch URLs, so it can bring in more than the author meant;
#   COPY only copies. The base image's root filesystem (ADD of a local archive or
#   file:<digest> to /) is not reported, nor is ADD from a URL, which VGL-IMG-006
#   reports. Read from the image history.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-005
#   kind: image
#   severity: LOW
#   maturity: stable
#   recommended_action: Use COPY for local files; unpack archives explicitly in a RUN step when that is intended.
#   frameworks:
#     cis-docker: ["4.9"]
package vigil.image.add_instead_of_copy

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some entry in input.image.history
	args := _add_args(entry.created_by)
	not regex.match(`(?i)(https?|ftp)://|git@`, args)
	not regex.match(`^(file:[0-9a-f]+ in /|\S+\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tar\.zst) /)$`, args)
	msg := sprintf("image %s uses ADD instead of COPY: ADD %s", [text.quote(image.display_name(input.image)), substring(args, 0, 160)])
}

# _add_args returns the arguments of an ADD history entry, classic builder
# ("/bin/sh -c #(nop) ADD file:... in /app") or BuildKit ("ADD src /app # buildkit").
_add_args(created_by) := trim_space(substring(instruction, 4, -1)) if {
	instruction := _instruction(created_by)
	startswith(instruction, "ADD ")
}

_instruction(created_by) := trim_space(trim_suffix(trim_space(parts[count(parts) - 1]), "# buildkit")) if {
	parts := split(created_by, "#(nop)")
}
