# METADATA
# title: Pod uses a volume type outside the restricted set
# description: >-
#   The restricted Pod Security Standard allows only configMap, csi, downwardAPI,
#   emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes
#   (data.vigil.config.allowed_volume_types). hostPath fails this control as well as the
#   baseline one (VGL-CTR-030), which the restricted check replaces.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-035
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Use a persistentVolumeClaim (or CSI) volume instead of in-line volume sources.
#   frameworks:
#     pss: ["restricted/volume-types"]
package vigil.container.volume_types

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some volume_type in object.get(container.k8s(c), "volume_types", [])
	not volume_type in config.value("allowed_volume_types")
	msg := sprintf(
		"container %s belongs to pod %s, which uses volume type %s",
		[text.quote(container.display_name(c)), text.quote(c.kubernetes.pod), text.quote(volume_type)],
	)
}
