# METADATA
# title: Containers may acquire new privileges by default
# description: >-
#   With "no-new-privileges" in daemon.json every container starts with no_new_privs
#   set, so setuid binaries cannot raise privileges inside it.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-013
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Set "no-new-privileges": true in daemon.json.
#   frameworks:
#     cis-docker: ["2.14"]
#     mitre: ["T1548"]
package vigil.host.no_new_privileges

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	not d.no_new_privileges
	msg := sprintf("host %s: Docker daemon does not set no-new-privileges for containers by default", [text.quote(host.display_name(h))])
}
