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

import data.vigil.lib.paths

default _configured := {}

_configured := data.vigil.config

_managers := {"apt", "apt-get", "aptitude", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "tdnf"}

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	_is_manager(p)
	not _image_allowed(fact.container.image)
	msg := sprintf("package manager %s (pid %d) run in container %q: %s", [_exe(p), p.pid, _name(fact.container), substring(concat(" ", p.args), 0, 200)])
}

_is_manager(p) if p.comm in _managers

_is_manager(p) if paths.basename(p.exe) in _managers

_image_allowed(image) if {
	some pattern in object.get(_configured, "runtime_package_manager_allowed_images", [])
	glob.match(pattern, ["/"], image)
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
