# METADATA
# title: Network attack tool run on the host
# description: >-
#   A netcat-like tool or a network scanner ran on the container host itself, outside
#   any container: hosts of a container fleet run no interactive tooling, so this is an
#   intruder on the node or a container that escaped to it. Executables listed (exe path
#   or comm) in data.vigil.config.runtime_host_network_tool_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-043
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the session on the host (who, last, the parent process); hosts should be reached only through configuration management."
#   frameworks:
#     mitre: ["T1059", "T1046", "T1095"]
package vigil.runtime.host_network_tool

import data.vigil.lib.event

_tools := {
	"nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat", "nmap", "masscan", "zmap",
	"rustscan", "nping", "hping3", "arp-scan", "nbtscan", "unicornscan",
}

deny contains msg if {
	fact := input.process_exec
	fact.container.host
	p := fact.process
	event.named(p, _tools)
	not event.process_listed(p, "runtime_host_network_tool_allowed_exes")
	msg := sprintf("%s (pid %d) run on the host: %s", [event.exe(p), p.pid, substring(concat(" ", p.args), 0, 200)])
}
