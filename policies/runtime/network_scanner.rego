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

import data.vigil.lib.event
import data.vigil.lib.text

_scanners := {"nmap", "masscan", "zmap", "rustscan", "nping", "hping3", "arp-scan", "nbtscan", "unicornscan", "fping"}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, _scanners)
	not event.image_listed(fact.container.image, "runtime_network_tool_allowed_images")
	msg := sprintf("network scanner %s (pid %d) run in container %s: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}
