# METADATA
# title: Docker Content Trust is not enabled for the host's users
# description: >-
#   Nothing in the host's login environment (/etc/environment, /etc/profile.d)
#   sets DOCKER_CONTENT_TRUST=1, so `docker pull` and `docker run` on it accept
#   unsigned images. CIS Docker 4.5; docker-bench-security checks the variable in its
#   own environment.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-024
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Add DOCKER_CONTENT_TRUST=1 to /etc/environment (and sign the images you push), or
#     verify images with a signature policy where they are admitted.
#   frameworks:
#     cis-docker: ["4.5"]
package vigil.host.content_trust

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	host.docker_installed(h)
	object.get(h, "content_trust", "") != "1"
	msg := sprintf("host %s: Docker Content Trust is not enabled for its users (DOCKER_CONTENT_TRUST=%s)", [text.quote(host.display_name(h)), text.quote(object.get(h, "content_trust", ""))])
}
