# METADATA
# title: Password hashes read in a container
# description: >-
#   A process in a container read /etc/shadow, /etc/gshadow (or their - backups) or
#   /etc/security/opasswd, the local password hashes, for offline cracking.
#   Executables listed (exe path or comm) in
#   data.vigil.config.runtime_shadow_allowed_exes (login, su, sudo, passwd, ...) are
#   ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-014
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the reading process and how it got there; containers do not authenticate local users. Remove shadow entries with passwords from images."
#   frameworks:
#     mitre: ["T1003.008"]
package vigil.runtime.shadow_read

default _configured := {}

_configured := data.vigil.config

_files := {"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/security/opasswd"}

deny contains msg if {
	fact := input.file_access
	_in_container(fact.container)
	fact.read
	fact.path in _files
	p := fact.process
	not _exe_allowed(p, "runtime_shadow_allowed_exes")
	msg := sprintf("%s (pid %d) in container %q read %s", [_exe(p), p.pid, _name(fact.container), fact.path])
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
