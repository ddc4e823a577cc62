# METADATA
# title: Filesystem mounted from a container
# description: >-
#   A process in a container called mount. Containers get their mounts from the
#   runtime; mounting from inside (the host disk, cgroupfs, procfs) needs
#   CAP_SYS_ADMIN and is a classic escape step. The collector drops runc's own
#   mounts. Executables listed (exe path or comm) in
#   data.vigil.config.runtime_mount_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-031
#   kind: privilege_change
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the process and what it mounted; drop CAP_SYS_ADMIN, keep the default seccomp and AppArmor profiles, and never run the container privileged."
#   frameworks:
#     mitre: ["T1611"]
package vigil.runtime.mount

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "mount"
	p := fact.process
	not event.process_listed(p, "runtime_mount_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s mounted %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.target])
}
