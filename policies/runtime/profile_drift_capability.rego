# METADATA
# title: Capability outside the learned workload profile
# description: >-
#   A process in a container ran with an effective capability that the capabilities
#   section of the workload's learned profile (data.vigil.profiles[container.workload],
#   learned and enforcing) does not list (names without CAP_, as in
#   process.capabilities). Each new capability is reported on its own.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-052
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the capability is a legitimate change of the workload approve it (vigil profile approve WORKLOAD capabilities:NAME); otherwise find which binary or setting grants it and drop it from the container (--cap-drop)."
#   frameworks:
#     mitre: ["T1548", "T1068"]
#   tags: ["would-block", "capabilities"]
package vigil.runtime.profile_drift_capability

import data.vigil.lib.event

deny contains msg if {
	fact := input.process_exec
	profile := event.learned_profile(fact.container)
	p := fact.process
	some cap in p.capabilities
	event.learned_new(profile, "capabilities", cap)
	msg := event.learned_drift(fact.container, profile, sprintf("ran %s (pid %d) with capability %s", [event.exe(p), p.pid, cap]))
}
