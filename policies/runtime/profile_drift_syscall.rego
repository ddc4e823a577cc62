# METADATA
# title: System call outside the learned workload profile
# description: >-
#   A container made a system call that the syscalls section of its workload's
#   learned profile (data.vigil.profiles[container.workload], learned and
#   enforcing) does not list. The collector keeps an in-kernel set of the calls
#   each container's cgroup makes and reports calls it has not reported lately;
#   the container runtime's own start-up (runc init) is left out. Each new call
#   is reported on its own. Harmless calls whose use varies with timing and libc
#   (poll, nanosleep, ...: data.vigil.config.profile_syscall_baseline) never are.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-053
#   kind: syscall_set
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the call is a legitimate change of the workload approve it (vigil profile approve WORKLOAD syscalls:NAME); otherwise investigate the container: unshare, mount, ptrace or bpf calls a workload never made are typical of escape attempts. A seccomp profile generated from the learned profile blocks them."
#   frameworks:
#     mitre: ["T1611", "T1068"]
#   tags: ["would-block", "seccomp"]
package vigil.runtime.profile_drift_syscall

import data.vigil.lib.config
import data.vigil.lib.event

_baseline := {call | some call in config.value("profile_syscall_baseline")}

deny contains msg if {
	fact := input.syscall_set
	profile := event.learned_profile(fact.container)
	some call in fact.syscalls
	not call in _baseline
	event.learned_new(profile, "syscalls", call)
	msg := event.learned_drift(fact.container, profile, sprintf("made system call %s", [call]))
}
