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

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	p.tty
	event.is_shell(p)
	not event.image_listed(fact.container.image, "runtime_shell_allowed_images")
	msg := sprintf("terminal shell %s (pid %d, uid %d) opened in container %s", [event.exe(p), p.pid, p.uid, text.quote(event.name(fact.container))])
}
