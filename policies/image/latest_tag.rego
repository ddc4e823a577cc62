# METADATA
# title: Image tagged latest
# description: >-
#   The image carries a :latest tag. The tag moves with every push, so what runs
#   cannot be tied to a build or reviewed scan, and a pushed replacement is picked
#   up silently on the next pull or restart.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-009
#   kind: image
#   severity: LOW
#   maturity: stable
#   recommended_action: Tag images with an immutable version (release or commit) and deploy by digest (name@sha256:...).
#   frameworks:
#     cis-docker: ["4.2"]
#     mitre: ["T1525"]
package vigil.image.latest_tag

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some tag in input.image.repo_tags
	endswith(tag, ":latest")
	msg := sprintf("image %s is tagged %s; the tag is mutable and does not identify a build", [text.quote(image.display_name(input.image)), tag])
}
