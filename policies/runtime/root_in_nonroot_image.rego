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

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	user := trim_space(fact.container.image_user)
	user != ""
	not split(user, ":")[0] in {"root", "0"}
	p := fact.process
	p.uid == 0
	not _image_allowed(fact.container.image)
	msg := sprintf("%s (pid %d) runs as root in container %q although image %s declares user %s", [_exe(p), p.pid, _name(fact.container), fact.container.image, user])
}

_image_allowed(image) if {
	some pattern in object.get(_configured, "runtime_root_allowed_images", [])
	glob.match(pattern, ["/"], image)
}

_in_container(c) if {
	not c.host
	c.id != ""
}

_name(c) := c.name if {
	c.name != ""
} else := c.id

_exe(p) := p.exe if {
	p.exe != ""
} else := p.comm
