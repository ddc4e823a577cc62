# METADATA
# title: Credential-like environment variable baked into the image
# description: >-
#   The image configuration sets a non-empty environment variable whose name says
#   it holds a credential (PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, ACCESS_KEY,
#   PRIVATE_KEY, CREDENTIALS). ENV values are stored in the image config and shown by
#   docker inspect. Names ending in _FILE, _PATH, _DIR, _URL or _ENDPOINT are
#   references and are ignored; data.vigil.config.image_secret_env_allowed_names
#   lists further names to ignore. The value is never printed.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-008
#   kind: image
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: Remove the ENV from the Dockerfile and inject the value at run time from a secret store (or point to a mounted file with NAME_FILE).
#   frameworks:
#     cis-docker: ["4.10"]
#     mitre: ["T1552.001"]
package vigil.image.secret_env

import data.vigil.lib.build_commands
import data.vigil.lib.image
import data.vigil.lib.text

_ignored := {n | some n in data.vigil.config.image_secret_env_allowed_names}

deny contains msg if {
	some entry in input.image.config.env
	parts := split(entry, "=")
	name := parts[0]
	trim_space(concat("=", array.slice(parts, 1, count(parts)))) != ""
	build_commands.credential_name(name)
	not name in _ignored
	msg := sprintf("image %s sets credential-like environment variable %s in its config", [text.quote(image.display_name(input.image)), name])
}
