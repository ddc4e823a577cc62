# METADATA
# title: Executable not from the image (drift)
# description: >-
#   A process ran a binary that is not part of the container's image: it was written
#   (or modified) in the container's writable layer after start. Immutable containers
#   never do this; downloaded tools and malware do. Needs the collector's drift
#   check (exe_known true, exe_in_image false). Paths matching the globs in
#   data.vigil.config.runtime_drift_allowed_paths are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-003
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Treat the container as compromised or mutated: find how the binary arrived (the writable layer), rebuild instead of patching running containers, and run with a read-only root filesystem."
#   frameworks:
#     mitre: ["T1105"]
package vigil.runtime.drift_executable

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	p.exe_known
	not p.exe_in_image
	not event.path_listed(p.exe, "runtime_drift_allowed_paths")
	msg := sprintf("container %s executed %s (pid %d), a binary that is not part of image %s", [text.quote(event.name(fact.container)), event.exe(p), p.pid, fact.container.image])
}
