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
#   kernel_filter:
#     read_paths: ["/etc/shadow", "/etc/gshadow", "/etc/security/opasswd"]
#   frameworks:
#     mitre: ["T1003.008"]
package vigil.runtime.shadow_read

import data.vigil.lib.event
import data.vigil.lib.text

_files := {"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/security/opasswd"}

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.read
	fact.path in _files
	p := fact.process
	not event.process_listed(p, "runtime_shadow_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s read %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path])
}
