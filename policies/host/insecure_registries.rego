# METADATA
# title: Insecure registry configured
# description: >-
#   An insecure registry is reached over plain HTTP or unverified TLS, so anyone on the
#   path can swap the images the host pulls. Loopback ranges that Docker always lists
#   (data.vigil.config.allowed_insecure_registries) are not reported.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-004
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove the registry from "insecure-registries" and give it a certificate the host
#     trusts (/etc/docker/certs.d).
#   frameworks:
#     cis-docker: ["2.5"]
package vigil.host.insecure_registries

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	some registry in d.insecure_registries
	not registry in config.value("allowed_insecure_registries")
	msg := sprintf("host %s: Docker daemon trusts insecure registry %s", [text.quote(host.display_name(h)), text.quote(registry)])
}
