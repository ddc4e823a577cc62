# METADATA
# title: Namespace joined from a container (setns)
# description: >-
#   A process in a container joined another namespace with setns (nsenter): with the
#   host's PID namespace and CAP_SYS_ADMIN this is a one-line escape to the host
#   (nsenter -t 1 -m -u -n -i sh). The collector drops runc's own setns calls.
#   Executables listed (exe path or comm) in
#   data.vigil.config.runtime_setns_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-034
#   kind: privilege_change
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the process (nsenter?); a container joining other namespaces is escaping its isolation. Drop CAP_SYS_ADMIN and do not share the host PID namespace."
#   frameworks:
#     mitre: ["T1611"]
package vigil.runtime.setns

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "setns"
	p := fact.process
	not event.process_listed(p, "runtime_setns_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s joined namespace %s (setns)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.target])
}
