# METADATA
# title: Base device size changed
# description: >-
#   A larger dm.basesize lets every container grow its root filesystem further and can
#   fill the host's storage.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-010
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Remove the dm.basesize storage option unless the workloads need it.
#   frameworks:
#     cis-docker: ["2.11"]
package vigil.host.base_device_size

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.base_device_size != ""
	msg := sprintf("host %s: Docker daemon changes the base device size to %s", [text.quote(host.display_name(h)), d.base_device_size])
}
