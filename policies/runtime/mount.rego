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

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.privilege_change
	_in_container(fact.container)
	fact.change == "mount"
	p := fact.process
	not _exe_allowed(p, "runtime_mount_allowed_exes")
	msg := sprintf("%s (pid %d) in container %q mounted %s", [_exe(p), p.pid, _name(fact.container), fact.target])
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
