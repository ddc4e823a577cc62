# METADATA
# title: Fileless execution
# description: >-
#   A process in a container executes from an anonymous in-memory file (memfd:...)
#   or from a binary already deleted from disk ((deleted)). Loaders use memfd_create
#   and execveat to run payloads that never touch the filesystem.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-013
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Capture the process memory if possible, then kill the container; fileless payloads leave no file to scan."
#   frameworks:
#     mitre: ["T1620", "T1027"]
package vigil.runtime.fileless_exec

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	_fileless(p.exe)
	msg := sprintf("container %s executed %s (pid %d) from memory or a deleted file", [text.quote(event.name(fact.container)), p.exe, p.pid])
}

_fileless(exe) if startswith(trim_prefix(exe, "/"), "memfd:")

_fileless(exe) if endswith(exe, " (deleted)")
