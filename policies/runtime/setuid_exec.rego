# METADATA
# title: Setuid-root binary executed by a non-root user
# description: >-
#   A process in a container runs with effective uid 0 while its real uid is not 0:
#   a non-root user executed a setuid-root binary (su, sudo, passwd, mount, or a
#   planted one). With no-new-privileges set this cannot happen. Executables listed
#   (exe path or comm) in data.vigil.config.runtime_setuid_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-011
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Identify the binary and why it is setuid; strip setuid bits from the image (CIS 4.8) and run with no-new-privileges."
#   frameworks:
#     mitre: ["T1548.001"]
package vigil.runtime.setuid_exec

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	p.euid == 0
	p.uid != 0
	not _exe_allowed(p)
	msg := sprintf("%s (pid %d) in container %q gained root through setuid (uid %d, euid 0)", [_exe(p), p.pid, _name(fact.container), p.uid])
}

_exe_allowed(p) if {
	some allowed in object.get(_configured, "runtime_setuid_allowed_exes", [])
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
