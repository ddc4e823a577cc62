# METADATA
# title: Package manager run in a running container
# description: >-
#   An OS package manager (apt, apt-get, dpkg, apk, yum, dnf, microdnf, rpm, zypper,
#   tdnf) was executed in a running container. Containers should be immutable:
#   installing at run time is drift and how intruders fetch tools. Images matching
#   data.vigil.config.runtime_package_manager_allowed_images (globs) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-005
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Rebuild the image with the packages it needs instead of installing at run time; remove the package manager from production images.
#   frameworks:
#     mitre: ["T1105"]
package vigil.runtime.package_manager

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, event.package_managers)
	not event.image_listed(fact.container.image, "runtime_package_manager_allowed_images")
	msg := sprintf("package manager %s (pid %d) run in container %s: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}
