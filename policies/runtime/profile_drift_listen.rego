# METADATA
# title: Listening port outside the learned workload profile
# description: >-
#   A process in a container started listening on a port that the listen_ports
#   section of the workload's learned profile (data.vigil.profiles[container.workload],
#   learned and enforcing) does not list as <protocol>/<port>. A bind shell or a
#   backdoor shows up this way.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-049
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the port is a legitimate change of the workload approve it (vigil profile approve WORKLOAD listen_ports:PROTOCOL/PORT, as in the message); otherwise look for a bind shell or backdoor."
#   frameworks:
#     mitre: ["T1571", "T1205"]
package vigil.runtime.profile_drift_listen

import data.vigil.lib.event

deny contains msg if {
	fact := input.network_connection
	fact.direction == "listen"
	profile := event.learned_profile(fact.container)
	item := sprintf("%s/%d", [fact.protocol, fact.local_port])
	event.learned_new(profile, "listen_ports", item)
	p := fact.process
	msg := event.learned_drift(fact.container, profile, sprintf("listened on %s (%s, pid %d)", [item, event.exe(p), p.pid]))
}
