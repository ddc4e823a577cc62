# METADATA
# title: Image runs as root
# description: >-
#   The image declares no USER, or declares root (by name or uid 0). Containers
#   started from it run as root unless the run command overrides the user, so a
#   compromise of the workload is a compromise of root in the container and,
#   through any escape, of the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-001
#   kind: image
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Create an unprivileged user in the Dockerfile and switch to it with USER (e.g. USER 10001:10001).
#   frameworks:
#     cis-docker: ["4.1"]
package vigil.image.root_user

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	user := trim_space(input.image.config.user)
	user == ""
	msg := sprintf("image %s declares no USER and runs as root", [text.quote(image.display_name(input.image))])
}

deny contains msg if {
	user := trim_space(input.image.config.user)
	split(user, ":")[0] in {"root", "0"}
	msg := sprintf("image %s runs as root (USER %s)", [text.quote(image.display_name(input.image)), user])
}
