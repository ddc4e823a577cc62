# METADATA
# title: Process asked to be traced by its parent (PTRACE_TRACEME)
# description: >-
#   A process in a container called ptrace(PTRACE_TRACEME): the classic anti-debugging
#   trick of malware that wants no debugger to attach, and a step of some privilege
#   escalation exploits. Executables listed (exe path or comm) in
#   data.vigil.config.runtime_ptrace_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-035
#   kind: privilege_change
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find the program: legitimate services do not trace themselves. Keep the default seccomp profile, which denies ptrace without CAP_SYS_PTRACE on older kernels."
#   frameworks:
#     mitre: ["T1622"]
package vigil.runtime.ptrace_traceme

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "ptrace"
	fact.target == "TRACEME"
	p := fact.process
	not event.process_listed(p, "runtime_ptrace_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s called ptrace(PTRACE_TRACEME), an anti-debugging step", [event.exe(p), p.pid, text.quote(event.name(fact.container))])
}
