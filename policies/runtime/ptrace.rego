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

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.privilege_change
	_in_container(fact.container)
	fact.change == "ptrace"
	p := fact.process
	not _exe_allowed(p, "runtime_ptrace_allowed_exes")
	msg := sprintf("%s (pid %d) in container %q attached to or wrote into process %s with ptrace", [_exe(p), p.pid, _name(fact.container), fact.target])
}

_exe_allowed(p, key) if {
	some allowed in object.get(_configured, key, [])
	allowed in {p.exe, p.comm}
}

_in_container(c) if {
	not c.host
	c.id != ""
}

_name(c) := c.name if {
	c.name != ""
} else := c.id

_exe(p) := p.exe if {
	p.exe != ""
} else := p.comm
