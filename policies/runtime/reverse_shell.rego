# METADATA
# title: Reverse shell in a container
# description: >-
#   A shell started with its standard input or output connected to a network socket
#   (fd 0 or 1 is a socket): the shape of a reverse or bind shell (bash -i >&
#   /dev/tcp/..., nc -e /bin/sh, socat exec:). Needs the collector's stdio kinds.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-008
#   kind: process_exec
#   severity: CRITICAL
#   maturity: stable
#   recommended_action: "Isolate the container (disconnect its network), capture the peer address from the connection events, and treat the workload and its credentials as compromised."
#   frameworks:
#     mitre: ["T1059.004", "T1071"]
package vigil.runtime.reverse_shell

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.is_shell(p)
	_socket_stdio(p.stdio)
	msg := sprintf("reverse shell: %s (pid %d) in container %s has stdio connected to a socket (%s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), concat(",", p.stdio)])
}

_socket_stdio(stdio) if stdio[0] == "socket"

_socket_stdio(stdio) if stdio[1] == "socket"
