# METADATA
# title: Process gained root through a uid change
# description: >-
#   A process in a container changed its uid from non-root to root (setuid family
#   syscall, or exec of a setuid-root binary): su, sudo, a planted setuid binary or a
#   kernel exploit. Executables listed (exe path or comm) in
#   data.vigil.config.runtime_setuid_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-028
#   kind: privilege_change
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Identify the binary or exploit that changed the uid; strip setuid bits from the image and run with no-new-privileges."
#   frameworks:
#     mitre: ["T1548.001", "T1068"]
package vigil.runtime.setuid_root

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "setuid"
	fact.old_uid != 0
	fact.new_uid == 0
	p := fact.process
	not event.process_listed(p, "runtime_setuid_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s changed uid %d to 0 (root)%s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.old_uid, _via(fact.target)])
}

_via(target) := sprintf(" via %s", [target]) if {
	target != ""
} else := ""
