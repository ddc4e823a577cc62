# METADATA
# title: Image ships an OS package manager
# description: >-
#   The image contains an OS package manager (apt, dpkg, apk-tools, rpm, yum, dnf,
#   microdnf, tdnf, zypper), found in its package list. An intruder can use it to
#   install tools; production images built from distroless or scratch bases do not
#   need one. Incubating, as every distribution base image ships one.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-012
#   kind: image
#   severity: LOW
#   maturity: incubating
#   recommended_action: Use a multi-stage build and a distroless or scratch runtime stage, or remove the package manager in the final stage.
#   frameworks:
#     cis-docker: ["4.3"]
#     mitre: ["T1105"]
package vigil.image.package_manager

import data.vigil.lib.image
import data.vigil.lib.text

_managers := {"apt", "dpkg", "apk-tools", "rpm", "yum", "dnf", "microdnf", "tdnf", "zypper"}

_found contains pkg.name if {
	some pkg in input.image.packages
	pkg.name in _managers
}

deny contains msg if {
	count(_found) > 0
	msg := sprintf("image %s ships package manager packages: %s", [text.quote(image.display_name(input.image)), concat(", ", sort(_found))])
}
