# METADATA
# title: Kernel module loaded from a container
# description: >-
#   A process in a container loaded a kernel module (init_module/finit_module).
#   Kernel code runs with full host privileges: a rootkit or an escape. Needs
#   CAP_SYS_MODULE, which no workload should have. Executables listed (exe path or
#   comm) in data.vigil.config.runtime_module_load_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-032
#   kind: privilege_change
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Treat the host as compromised: check lsmod and the module's origin. Never grant CAP_SYS_MODULE or privileged mode."
#   frameworks:
#     mitre: ["T1547.006", "T1611"]
package vigil.runtime.module_load

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "module_load"
	p := fact.process
	not event.process_listed(p, "runtime_module_load_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s loaded kernel module %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.target])
}
