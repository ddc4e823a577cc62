# METADATA
# title: Namespace created from a container (unshare)
# description: >-
#   A process in a container created new namespaces with unshare. Exploits use a new
#   user namespace to gain capabilities that reach kernel attack surface (e.g.
#   CVE-2022-0185, CVE-2024-1086). Browsers and sandboxing tools legitimately do it:
#   list them (exe path or comm) in data.vigil.config.runtime_unshare_allowed_exes.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-033
#   kind: privilege_change
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find the process; unless it is a sandboxing tool the workload needs, block unshare with seccomp and do not grant CAP_SYS_ADMIN."
#   frameworks:
#     mitre: ["T1611"]
package vigil.runtime.unshare

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "unshare"
	p := fact.process
	not event.process_listed(p, "runtime_unshare_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s created new namespaces (unshare %s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.target])
}
