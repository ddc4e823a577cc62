# METADATA
# title: Outbound connection outside the workload profile
# description: >-
#   A container opened an outbound connection that its workload profile does not
#   allow. Profiles live in data.vigil.profiles, keyed by container name, image
#   reference or image repository, e.g. {"shop/api": {"outbound_ports": [53, 443,
#   5432], "outbound_networks": ["10.0.0.0/8", "203.0.113.7"], "listen_ports":
#   [8080]}}. The rule fires only for workloads that have a profile, and checks each
#   list only when the profile defines it: the remote port must be in outbound_ports
#   (include 53 for DNS), the remote address in outbound_networks (IPv4 CIDRs or exact
#   addresses; IPv6 only exact). Loopback connections are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-024
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the destination is legitimate add it to the workload's profile; otherwise investigate the process for command and control or exfiltration."
#   frameworks:
#     mitre: ["T1071", "T1571"]
package vigil.runtime.unexpected_outbound

import data.vigil.lib.event
import data.vigil.lib.text

_pow2 := [
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
	131072, 262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432, 67108864,
	134217728, 268435456, 536870912, 1073741824, 2147483648, 4294967296,
]

deny contains msg if {
	fact := _outbound
	profile := event.profile(fact.container)
	"outbound_ports" in object.keys(profile)
	not fact.remote_port in profile.outbound_ports
	msg := sprintf("container %s connected to %s:%d (%s by %s); port %d is not in its profile", [
		text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port, fact.protocol,
		event.exe(fact.process), fact.remote_port,
	])
}

deny contains msg if {
	fact := _outbound
	profile := event.profile(fact.container)
	"outbound_networks" in object.keys(profile)
	not _in_any(_address(fact.remote_address), profile.outbound_networks)
	msg := sprintf("container %s connected to %s:%d (%s by %s); address %s is not in its profile", [
		text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port, fact.protocol,
		event.exe(fact.process), fact.remote_address,
	])
}

_outbound := fact if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	not _loopback(_address(fact.remote_address))
}

_address(addr) := trim_prefix(addr, "::ffff:")

_loopback(addr) if startswith(addr, "127.")

_loopback("::1")

_in_any(addr, networks) if {
	some network in networks
	_in_network(addr, network)
}

_in_network(addr, addr)

_in_network(addr, network) if {
	parts := split(network, "/")
	count(parts) == 2
	block := _pow2[32 - to_number(parts[1])]
	a := _ipv4(addr)
	n := _ipv4(parts[0])
	a - (a % block) == n - (n % block)
}

_ipv4(s) := (((((to_number(o[0]) * 256) + to_number(o[1])) * 256) + to_number(o[2])) * 256) + to_number(o[3]) if {
	o := split(s, ".")
	count(o) == 4
	every octet in o {
		regex.match(`^[0-9]{1,3}$`, octet)
	}
}
