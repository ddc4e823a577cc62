# METADATA
# title: aufs storage driver in use
# description: >-
#   aufs is unmaintained, removed from current Docker releases and has known kernel
#   crashes; it should not back production containers.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-005
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Migrate to overlay2.
#   frameworks:
#     cis-docker: ["2.6"]
package vigil.host.aufs

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.storage_driver == "aufs"
	msg := sprintf("host %s: Docker daemon uses the aufs storage driver", [text.quote(host.display_name(h))])
}
