# METADATA
# title: Dockerfile updates the package index without installing
# description: >-
#   A RUN refreshes the package index (apt-get update, apk update, ...) and installs
#   nothing in the same step. The cached layer keeps a stale index, and a later RUN
#   installs from it.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-005
#   kind: dockerfile
#   severity: LOW
#   maturity: stable
#   recommended_action: Update and install in one RUN (RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*).
#   frameworks:
#     cis-docker: ["4.7"]
package vigil.dockerfile.update_alone

import data.vigil.lib.build_commands
import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": run.line} if {
	some [run, command] in dockerfile.run_commands
	build_commands.updates_index_alone(command)
	msg := sprintf("%s: RUN updates the package index without installing in the same step: %s", [dockerfile.name, dockerfile.short(command)])
}
