# METADATA
# title: Netcat or socat run in a container
# description: >-
#   A raw socket relay (nc, ncat, netcat, socat) ran in a container. These tools
#   move data or a shell over plain TCP/UDP and are staples of reverse shells,
#   pivoting and exfiltration. Images matching
#   data.vigil.config.runtime_network_tool_allowed_images (globs) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-007
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Check the command line for -e/exec (a shell bound to a socket) and the peer address; remove these tools from images."
#   frameworks:
#     mitre: ["T1095", "T1059.004"]
package vigil.runtime.netcat

import data.vigil.lib.event
import data.vigil.lib.text

_tools := {"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat"}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, _tools)
	not event.image_listed(fact.container.image, "runtime_network_tool_allowed_images")
	msg := sprintf("%s (pid %d) run in container %s: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}
