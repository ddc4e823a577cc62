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

import data.vigil.lib.paths

_shells := {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish"}

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	_is_shell(p)
	_socket_stdio(p.stdio)
	msg := sprintf("reverse shell: %s (pid %d) in container %q has stdio connected to a socket (%s)", [_exe(p), p.pid, _name(fact.container), concat(",", p.stdio)])
}

_is_shell(p) if p.comm in _shells

_is_shell(p) if paths.basename(p.exe) in _shells

_socket_stdio(stdio) if stdio[0] == "socket"

_socket_stdio(stdio) if stdio[1] == "socket"

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
