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

import data.vigil.lib.paths

default _configured := {}

_configured := data.vigil.config

_tools := {"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat"}

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	_is_tool(p)
	not _image_allowed(fact.container.image)
	msg := sprintf("%s (pid %d) run in container %q: %s", [_exe(p), p.pid, _name(fact.container), substring(concat(" ", p.args), 0, 200)])
}

_is_tool(p) if p.comm in _tools

_is_tool(p) if paths.basename(p.exe) in _tools

_image_allowed(image) if {
	some pattern in object.get(_configured, "runtime_network_tool_allowed_images", [])
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
