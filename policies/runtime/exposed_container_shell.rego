# METADATA
# title: Terminal shell in a privileged or host-sharing container
# description: >-
#   A shell with a terminal attached was opened in a container whose latest
#   container fact shows it runs privileged, shares the host's PID namespace or
#   mounts the container runtime socket. A hands-on session there is one step
#   from the host: the operator alert worth waking up for. Reads the container
#   fact as context; images listed in data.vigil.config.runtime_shell_allowed_images
#   are ignored, as for VGL-RUN-001.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-055
#   kind: process_exec
#   severity: CRITICAL
#   maturity: stable
#   context: ["container"]
#   recommended_action: Find who opened the session; drop --privileged, --pid host and the runtime socket mount from the container, and restrict exec.
#   frameworks:
#     mitre: ["T1059.004", "T1611"]
package vigil.runtime.exposed_container_shell

import data.vigil.container.runtime_socket
import data.vigil.lib.container
import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	p.tty
	event.is_shell(p)
	not event.image_listed(fact.container.image, "runtime_shell_allowed_images")
	count(_exposures) > 0
	msg := sprintf("terminal shell %s (pid %d, uid %d) opened in container %s, which %s", [
		event.exe(p), p.pid, p.uid, text.quote(event.name(fact.container)),
		concat(" and ", sort(_exposures)),
	])
}

_exposures contains "runs privileged" if input.context.container.privileged

_exposures contains "shares the host's PID namespace" if container.shares_host(input.context.container, "pid")

_exposures contains "mounts the container runtime socket" if {
	c := input.context.container
	count(runtime_socket.deny) > 0 with input as {"kind": "container", "container": c}
}
