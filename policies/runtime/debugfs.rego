# METADATA
# title: debugfs run in a container
# description: >-
#   debugfs, the ext2/3/4 file system debugger, was run in a container. With access to
#   a host block device (a privileged container, or CAP_SYS_ADMIN with the device) it
#   reads and writes the host's file system directly, past every permission: a known
#   container escape.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-041
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Do not run containers privileged or with host block devices; find who ran debugfs and check the host's file system for changes."
#   frameworks:
#     mitre: ["T1611", "T1006"]
package vigil.runtime.debugfs

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, {"debugfs"})
	msg := sprintf("%s (pid %d) run in container %s: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}
