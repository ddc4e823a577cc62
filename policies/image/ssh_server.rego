# METADATA
# title: Image contains an SSH server
# description: >-
#   The image installs an SSH server (openssh-server or dropbear in its packages, or
#   an sshd/dropbear binary among its notable files). Containers are reached with
#   docker exec or kubectl exec; an SSH daemon adds credentials to manage and a
#   remote login service for attackers.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-013
#   kind: image
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Remove the SSH server from the image; use docker exec / kubectl exec for access.
#   frameworks:
#     cis-docker: ["4.3"]
#     mitre: ["T1021.004"]
package vigil.image.ssh_server

import data.vigil.lib.image
import data.vigil.lib.text

_found contains sprintf("package %s", [pkg.name]) if {
	some pkg in input.image.packages
	pkg.name in {"openssh-server", "dropbear", "dropbear-bin"}
}

_found contains sprintf("file %s", [file.path]) if {
	some file in input.image.files
	regex.match(`/(sshd|dropbear)$`, file.path)
}

deny contains msg if {
	count(_found) > 0
	msg := sprintf("image %s contains an SSH server: %s", [text.quote(image.display_name(input.image)), concat(", ", sort(_found))])
}
