# METADATA
# title: Packet or raw socket opened in a container
# description: >-
#   A process in a container created an AF_PACKET socket or a SOCK_RAW socket: it can
#   sniff every frame on the container's interfaces or forge packets (ARP spoofing,
#   man-in-the-middle). ping and ping6 (raw ICMP sockets) and executables listed (exe
#   path or comm) in data.vigil.config.runtime_raw_socket_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-037
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Drop CAP_NET_RAW (--cap-drop NET_RAW, or capabilities.drop: [ALL]); find why the process needs raw access to the network."
#   frameworks:
#     mitre: ["T1040", "T1557.002"]
package vigil.runtime.packet_socket

import data.vigil.lib.event
import data.vigil.lib.text

_pings := {"ping", "ping6"}

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "socket"
	p := fact.process
	not event.named(p, _pings)
	not event.process_listed(p, "runtime_raw_socket_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s opened a %s socket (%s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.protocol, fact.family])
}
