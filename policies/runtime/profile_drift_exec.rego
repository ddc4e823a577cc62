# METADATA
# title: Executable outside the learned workload profile
# description: >-
#   A process in a container ran an executable that the workload's learned profile
#   does not list in executables. Learned profiles live in data.vigil.profiles, keyed
#   by the workload id of container.workload; the rule judges only profiles with
#   learned true and state "enforcing" (not while learning, never hand-written ones).
#   A downloaded tool, an interactive shell or a dropped binary shows up this way.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-047
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "If the executable is a legitimate change of the workload approve it (vigil profile approve WORKLOAD executables:PATH); otherwise find how it arrived and treat the container as compromised."
#   frameworks:
#     mitre: ["T1059", "T1105"]
#   tags: ["would-block", "apparmor"]
package vigil.runtime.profile_drift_exec

import data.vigil.lib.event

deny contains msg if {
	fact := input.process_exec
	profile := event.learned_profile(fact.container)
	p := fact.process
	p.exe != ""
	event.learned_new(profile, "executables", p.exe)
	msg := event.learned_drift(fact.container, profile, sprintf("executed %s (pid %d)", [p.exe, p.pid]))
}
