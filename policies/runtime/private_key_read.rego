# METADATA
# title: SSH private key read in a container
# description: >-
#   A process in a container read an SSH private key: a user key (~/.ssh/id_*) or a
#   host key (/etc/ssh/ssh_host_*_key). Public keys (.pub) are not reported.
#   Executables listed (exe path or comm) in
#   data.vigil.config.runtime_private_key_allowed_exes (ssh, sshd, ssh-add, ...) are
#   ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-015
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the reading process; rotate the key and keep private keys out of images and containers."
#   frameworks:
#     mitre: ["T1552.004"]
package vigil.runtime.private_key_read

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.file_access
	_in_container(fact.container)
	fact.read
	regex.match(`(^|/)\.ssh/id_[A-Za-z0-9_-]+$|^/etc/ssh/ssh_host_[a-z0-9]+_key$`, fact.path)
	p := fact.process
	not _exe_allowed(p, "runtime_private_key_allowed_exes")
	msg := sprintf("%s (pid %d) in container %q read SSH private key %s", [_exe(p), p.pid, _name(fact.container), fact.path])
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
