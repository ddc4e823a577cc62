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
#   kernel_filter:
#     read_paths: ["/root/.ssh/", "/etc/ssh/ssh_host_"]
#   frameworks:
#     mitre: ["T1552.004"]
package vigil.runtime.private_key_read

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.read
	regex.match(`(^|/)\.ssh/id_[A-Za-z0-9_-]+$|^/etc/ssh/ssh_host_[a-z0-9]+_key$`, fact.path)
	p := fact.process
	not event.process_listed(p, "runtime_private_key_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s read SSH private key %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path])
}
