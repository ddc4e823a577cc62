# METADATA
# title: Dockerfile exposes a privileged port
# description: >-
#   An EXPOSE names a port below 1024. Binding it needs root or CAP_NET_BIND_SERVICE
#   in the container, and port 22 means an SSH server in the image.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-011
#   kind: dockerfile
#   severity: LOW
#   maturity: stable
#   recommended_action: Listen on an unprivileged port (8080, 8443) and map it at run time (-p 80:8080).
#   frameworks:
#     cis-docker: ["5.8"]
package vigil.dockerfile.privileged_port

import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": expose.line} if {
	some [_, expose] in dockerfile.instructions
	expose.keyword == "EXPOSE"
	some spec in split(expose.arguments, " ")
	port := to_number(split(spec, "/")[0])
	port < 1024
	msg := sprintf("%s: EXPOSE %s is a privileged port", [dockerfile.name, spec])
}
