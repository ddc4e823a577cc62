# METADATA
# title: Daemon-wide seccomp disabled
# description: >-
#   The daemon's seccomp-profile is "unconfined", so every container that does not
#   choose a profile itself can use every system call.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-016
#   kind: host
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Remove "seccomp-profile": "unconfined" from daemon.json, or point it at a reviewed
#     custom profile.
#   frameworks:
#     cis-docker: ["2.17"]
#     mitre: ["T1611"]
package vigil.host.seccomp_unconfined

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	lower(d.seccomp_profile) == "unconfined"
	msg := sprintf("host %s: Docker daemon runs containers without seccomp by default (seccomp-profile unconfined)", [text.quote(host.display_name(h))])
}
