# METADATA
# title: Network scanner run in a container
# description: >-
#   A network scanning tool (nmap, masscan, zmap, rustscan, nping, hping3, arp-scan,
#   ...) ran in a container: discovery of other services from a foothold.
#   Images matching data.vigil.config.runtime_network_tool_allowed_images (globs)
#   are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-006
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Investigate who started the scan and from where; application containers have no use for scanners. Remove them from images."
#   frameworks:
#     mitre: ["T1046"]
package vigil.runtime.network_scanner

import data.vigil.lib.paths

default _configured := {}

_configured := data.vigil.config

_scanners := {"nmap", "masscan", "zmap", "rustscan", "nping", "hping3", "arp-scan", "nbtscan", "unicornscan", "fping"}

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	_is_scanner(p)
	not _image_allowed(fact.container.image)
	msg := sprintf("network scanner %s (pid %d) run in container %q: %s", [_exe(p), p.pid, _name(fact.container), substring(concat(" ", p.args), 0, 200)])
}

_is_scanner(p) if p.comm in _scanners

_is_scanner(p) if paths.basename(p.exe) in _scanners

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
