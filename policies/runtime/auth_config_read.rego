# METADATA
# title: Authentication configuration read in a container
# description: >-
#   A process in a container read /etc/sudoers, /etc/sudoers.d, /etc/pam.conf, /etc/pam.d
#   or /etc/security/pwquality.conf: reconnaissance of who may become root and how
#   logins are checked. The programs that read them in normal use (sudo, su, login,
#   passwd, sshd, ...: data.vigil.config.runtime_shadow_allowed_exes, shared with the
#   password-hash rule) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-046
#   kind: file_access
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find the reading process and its session; containers seldom need sudo or PAM at all: remove them from the image."
#   kernel_filter:
#     read_paths: ["/etc/sudoers", "/etc/pam.conf", "/etc/pam.d/", "/etc/security/pwquality"]
#   frameworks:
#     mitre: ["T1555", "T1087.001"]
package vigil.runtime.auth_config_read

import data.vigil.lib.event
import data.vigil.lib.text

_files := {"/etc/sudoers", "/etc/pam.conf", "/etc/security/pwquality.conf"}

_dirs := ["/etc/sudoers.d/", "/etc/pam.d/"]

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.read
	_auth_config(fact.path)
	p := fact.process
	not event.process_listed(p, "runtime_shadow_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s read %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path])
}

_auth_config(path) if path in _files

_auth_config(path) if {
	some dir in _dirs
	startswith(path, dir)
}
