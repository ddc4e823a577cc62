# METADATA
# title: Secret stored in the image
# description: >-
#   The image scanner found a secret (private key, cloud access key, token, ...) in
#   a file, an environment variable or the build history. Anyone who can pull the
#   image can read it. A secret deleted by a later layer is still reported: every
#   layer ships with the image and can be extracted on its own.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-007
#   kind: image
#   severity: HIGH
#   maturity: stable
#   recommended_action: Rotate the secret, rebuild without it, and pass secrets at build time with BuildKit secret mounts (RUN --mount=type=secret) and at run time through a secret store.
#   frameworks:
#     cis-docker: ["4.10"]
#     mitre: ["T1552.001"]
package vigil.image.secrets

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some secret in input.image.secrets
	msg := sprintf("image %s stores a %s secret in %s%s", [text.quote(image.display_name(input.image)), secret.rule, _where(secret), _deleted(secret)])
}

_where(secret) := sprintf("file %s (layer %d)", [secret.path, secret.layer]) if {
	secret.location == "file"
} else := sprintf("environment variable %s", [secret.path]) if {
	secret.location == "env"
} else := sprintf("build history (layer %d)", [secret.layer]) if {
	secret.location == "history"
} else := sprintf("%s %s (layer %d)", [secret.location, secret.path, secret.layer])

_deleted(secret) := ", deleted by a later layer but still recoverable" if {
	secret.deleted_later
} else := ""
