# METADATA
# title: Terminal shell in a container
# description: >-
#   A shell (sh, bash, ash, dash, zsh, ksh, ...) started with a terminal attached
#   inside a container: someone ran docker exec -it / kubectl exec -it or spawned a
#   PTY. Production containers should not need interactive sessions; this is how
#   people, and intruders with API access, get hands-on. Images listed (globs, "/"
#   separated) in data.vigil.config.runtime_shell_allowed_images are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-001
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Find who opened the session (audit docker/kubectl exec); remove shells from production images and restrict exec permissions.
#   frameworks:
#     mitre: ["T1059.004"]
package vigil.runtime.terminal_shell

import data.vigil.lib.paths

default _configured := {}

_configured := data.vigil.config

_shells := {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish"}

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	p.tty
	_is_shell(p)
	not _image_allowed(fact.container.image)
	msg := sprintf("terminal shell %s (pid %d, uid %d) opened in container %q", [_exe(p), p.pid, p.uid, _name(fact.container)])
}

_is_shell(p) if p.comm in _shells

_is_shell(p) if paths.basename(p.exe) in _shells

_image_allowed(image) if {
	some pattern in object.get(_configured, "runtime_shell_allowed_images", [])
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
