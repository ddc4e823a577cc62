# METADATA
# title: Image contains setuid or setgid files
# description: >-
#   The image contains regular files with the setuid or setgid bit. Such binaries
#   run with their owner's privileges and are the classic path from an unprivileged
#   process to root. CIS Docker 4.8 asks for these bits to be removed, so the
#   allowlist data.vigil.config.image_setuid_allowed_paths (exact paths) is empty by
#   default; a distribution base image that must keep e.g. /usr/bin/passwd or
#   /bin/su can list them there. Setgid directories are not reported. One finding
#   per image lists every file found.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-004
#   kind: image
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Strip the bits in the Dockerfile: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + (or list required files in image_setuid_allowed_paths)."
#   frameworks:
#     cis-docker: ["4.8"]
#     mitre: ["T1548.001"]
package vigil.image.setuid_files

import data.vigil.lib.image
import data.vigil.lib.text

_allowed := {p | some p in data.vigil.config.image_setuid_allowed_paths}

_found contains sprintf("%s (%s)", [file.path, _bits(file)]) if {
	some file in input.image.files
	not file.is_dir
	_special(file)
	not file.path in _allowed
}

deny contains msg if {
	count(_found) > 0
	msg := sprintf("image %s contains %d setuid/setgid files: %s", [text.quote(image.display_name(input.image)), count(_found), concat(", ", sort(_found))])
}

_special(file) if file.setuid

_special(file) if file.setgid

_bits(file) := "setuid+setgid" if {
	file.setuid
	file.setgid
} else := "setuid" if {
	file.setuid
} else := "setgid"
