# METADATA
# title: SSH connection to a non-standard port
# description: >-
#   An SSH client (ssh, scp, sftp, dbclient) in a container connected to, or was started
#   for, a port other than 22: a common way to reach an attacker's server or tunnel
#   through egress filters. Ports listed in data.vigil.config.runtime_ssh_allowed_ports
#   are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-040
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find the client's session and destination; restrict egress so containers reach only the services they need."
#   frameworks:
#     mitre: ["T1571", "T1021.004"]
package vigil.runtime.ssh_nonstandard_port

import data.vigil.lib.event
import data.vigil.lib.text

_clients := {"ssh", "scp", "sftp", "dbclient", "dropbear", "autossh"}

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	fact.remote_port != 22
	fact.remote_port != 0
	p := fact.process
	event.named(p, _clients)
	not _allowed_port(fact.remote_port)
	msg := sprintf("%s (pid %d) in container %s connected over SSH to %s port %d", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port])
}

_allowed_port(port) if port in data.vigil.config.runtime_ssh_allowed_ports
