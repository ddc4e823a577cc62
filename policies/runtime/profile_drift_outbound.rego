# METADATA
# title: Outbound peer outside the learned workload profile
# description: >-
#   A process in a container connected to a peer that the peers section of the
#   workload's learned profile (data.vigil.profiles[container.workload], learned and
#   enforcing) does not list as <protocol>/<peer workload>:<remote_port> (when the
#   collector knew the peer container) or <protocol>/<remote_address>:<remote_port>.
#   Command and control, exfiltration or a tool fetching a payload shows up this way.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-050
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the peer is a legitimate change of the workload approve it (vigil profile approve WORKLOAD peers:PROTOCOL/ADDRESS:PORT, as in the message); otherwise investigate the process for command and control or exfiltration."
#   frameworks:
#     mitre: ["T1071", "T1041"]
#   tags: ["would-block", "network-policy"]
package vigil.runtime.profile_drift_outbound

import data.vigil.lib.event

deny contains msg if {
	fact := input.network_connection
	fact.direction == "outbound"
	profile := event.learned_profile(fact.container)
	item := event.peer_item(fact)
	event.learned_new(profile, "peers", item)
	p := fact.process
	msg := event.learned_drift(fact.container, profile, sprintf("connected to %s (%s, pid %d)", [item, event.exe(p), p.pid]))
}
