# METADATA
# title: Process traced another process (ptrace)
# description: >-
#   A process in a container used ptrace to attach to, seize or poke another process:
#   code injection, credential theft from memory or sandbox escape. Executables
#   listed (exe path or comm) in data.vigil.config.runtime_ptrace_allowed_exes (e.g.
#   gdb, strace in debug images) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-030
#   kind: privilege_change
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the tracer; debuggers do not belong in production containers. Keep the default seccomp profile and do not add CAP_SYS_PTRACE."
#   frameworks:
#     mitre: ["T1055.008"]
package vigil.runtime.ptrace

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "ptrace"
	fact.target != "TRACEME"
	p := fact.process
	not event.process_listed(p, "runtime_ptrace_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s attached to or wrote into process %s with ptrace", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.target])
}
