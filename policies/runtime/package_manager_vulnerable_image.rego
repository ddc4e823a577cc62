# METADATA
# title: Package manager run in a container whose image has known-vulnerable packages
# description: >-
#   A package manager ran in a container (as for VGL-RUN-005) whose image carries
#   packages affected by known vulnerabilities (VGL-IMG-016, from
#   data.vigil.vulnerabilities). Someone is changing software by hand in a
#   container that is exposed already: patching in place, which an immutable
#   container should never need, or an intruder adding tools to a foothold.
#   Reads the image fact as context.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-058
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   context: ["image"]
#   recommended_action: Rebuild the image on a patched base instead of installing in the container; find who ran the package manager.
#   frameworks:
#     mitre: ["T1105", "T1190"]
package vigil.runtime.package_manager_vulnerable_image

import data.vigil.image.vulnerable_packages
import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	event.named(fact.process, event.package_managers)
	not event.image_listed(fact.container.image, "runtime_package_manager_allowed_images")
	image := input.context.image
	affected := count(vulnerable_packages.deny) with input as {"kind": "image", "image": image}
	affected > 0
	msg := sprintf("package manager %s (pid %d) run in container %s, whose image has %d known-vulnerable package finding(s)", [
		event.exe(fact.process), fact.process.pid, text.quote(event.name(fact.container)), affected,
	])
}
