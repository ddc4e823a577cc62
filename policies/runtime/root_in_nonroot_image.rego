# METADATA
# title: Root process in a container whose image declares a user
# description: >-
#   A process runs as uid 0 in a container whose image declares a non-root USER:
#   the image was built to run unprivileged, so root here means docker exec -u root,
#   a --user override or an escalation. Images matching
#   data.vigil.config.runtime_root_allowed_images (globs) are ignored. Needs the
#   collector to always set the process uid and the image's user (image_user).
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-009
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find who started the process as root (docker exec -u 0, a user override, a setuid binary) and run it as the image's user."
#   frameworks:
#     mitre: ["T1548", "T1078.003"]
package vigil.runtime.root_in_nonroot_image

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	user := trim_space(fact.container.image_user)
	user != ""
	not split(user, ":")[0] in {"root", "0"}
	p := fact.process
	p.uid == 0
	not event.image_listed(fact.container.image, "runtime_root_allowed_images")
	msg := sprintf("%s (pid %d) runs as root in container %s although image %s declares user %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.container.image, user])
}
