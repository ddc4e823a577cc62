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

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	p.euid == 0
	p.uid != 0
	not event.process_listed(p, "runtime_setuid_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s gained root through setuid (uid %d, euid 0)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), p.uid])
}
