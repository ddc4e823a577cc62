# METADATA
# title: No authorization plugin
# description: >-
#   Every client that can reach the Docker API may perform every action; an
#   authorization plugin can restrict dangerous ones (privileged containers, host
#   mounts) per user.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-011
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Configure an authorization plugin ("authorization-plugins" in daemon.json).
#   frameworks:
#     cis-docker: ["2.12"]
package vigil.host.authorization_plugin

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	count(d.authorization_plugins) == 0
	msg := sprintf("host %s: Docker daemon has no authorization plugin", [text.quote(host.display_name(h))])
}
