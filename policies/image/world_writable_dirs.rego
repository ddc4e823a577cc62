# METADATA
# title: World-writable directory without sticky bit
# description: >-
#   A directory in the image is writable by every user and lacks the sticky bit,
#   so any process can delete or replace files other users (including root) put
#   there, e.g. scripts or libraries a privileged process later loads. /tmp-style
#   directories need mode 1777.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-015
#   kind: image
#   severity: LOW
#   maturity: stable
#   recommended_action: "chmod o-w the directory, or add the sticky bit (chmod +t) when it is a shared scratch directory."
#   frameworks:
#     mitre: ["T1574"]
package vigil.image.world_writable_dirs

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some file in input.image.files
	file.is_dir
	file.world_writable
	not file.sticky
	msg := sprintf("image %s has world-writable directory %s without the sticky bit", [text.quote(image.display_name(input.image)), file.path])
}
