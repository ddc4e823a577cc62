# METADATA
# title: Image grants file capabilities
# description: >-
#   A file in the image carries file capabilities (security.capability xattr), so
#   executing it grants those capabilities without being root, the setuid problem
#   in finer grain. data.vigil.config.image_file_capabilities_allowed maps a path to
#   the capabilities it may carry (names without CAP_, e.g. {"/usr/bin/ping":
#   ["NET_RAW"]}); the default allows only ping's NET_RAW.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-014
#   kind: image
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Remove the capabilities in the Dockerfile (RUN setcap -r <file>) or grant them to the container explicitly with --cap-add if truly needed.
#   frameworks:
#     mitre: ["T1548"]
package vigil.image.file_capabilities

import data.vigil.lib.capabilities
import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some file in input.image.files
	extra := _caps(file) - capabilities.normalize_all(_allowed_caps(file.path))
	count(extra) > 0
	msg := sprintf("image %s grants file capabilities %s to %s", [text.quote(image.display_name(input.image)), capabilities.names(extra), file.path])
}

_allowed_caps(path) := caps if {
	caps := data.vigil.config.image_file_capabilities_allowed[path]
} else := []

# _caps reads "cap_net_raw+ep", "cap_net_raw,cap_net_admin=eip" or "NET_RAW" alike.
_caps(file) := {capabilities.normalize(name) |
	some raw in file.capabilities
	some name in split(split(split(raw, "+")[0], "=")[0], ",")
	trim_space(name) != ""
}
