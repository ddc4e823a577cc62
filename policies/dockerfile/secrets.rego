# METADATA
# title: Dockerfile puts a secret in ENV or ARG
# description: >-
#   An ENV or ARG is named like a credential (PASSWORD, TOKEN, API_KEY, ...). ENV values
#   ship in the image config. ARG values, defaults and --build-arg alike, are kept in the
#   image history. Names ending _FILE, _PATH, _DIR, _URL or _ENDPOINT point at a secret
#   and are not flagged, nor are data.vigil.config.image_secret_env_allowed_names.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-007
#   kind: dockerfile
#   severity: HIGH
#   maturity: stable
#   recommended_action: Pass secrets with RUN --mount=type=secret (BuildKit) or at run time from a secret store, never through ENV or ARG.
#   frameworks:
#     cis-docker: ["4.10"]
#     mitre: ["T1552.001"]
package vigil.dockerfile.secrets

import data.vigil.lib.build_commands
import data.vigil.lib.dockerfile

_allowed := {n | some n in data.vigil.config.image_secret_env_allowed_names}

deny contains {"msg": msg, "line": instruction.line} if {
	some [_, instruction] in dockerfile.instructions
	instruction.keyword in {"ENV", "ARG"}
	some name, _ in instruction.variables
	build_commands.credential_name(name)
	not name in _allowed
	msg := sprintf("%s: %s %s holds a credential-like value in the build", [dockerfile.name, instruction.keyword, name])
}
