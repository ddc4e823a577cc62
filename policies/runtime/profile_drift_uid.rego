# METADATA
# title: User id outside the learned workload profile
# description: >-
#   A process in a container ran as a uid that the uids section of the workload's
#   learned profile (data.vigil.profiles[container.workload], learned and enforcing)
#   does not list (keys are decimal uids). A process becoming root, or a login as
#   another user, shows up this way.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-051
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the user is a legitimate change of the workload approve it (vigil profile approve WORKLOAD uids:UID); otherwise find how the process changed user (setuid binary, sudo, su)."
#   frameworks:
#     mitre: ["T1548", "T1068"]
package vigil.runtime.profile_drift_uid

import data.vigil.lib.event

deny contains msg if {
	fact := input.process_exec
	profile := event.learned_profile(fact.container)
	p := fact.process
	item := format_int(p.uid, 10)
	event.learned_new(profile, "uids", item)
	msg := event.learned_drift(fact.container, profile, sprintf("ran %s (pid %d) as uid %s", [event.exe(p), p.pid, item]))
}
