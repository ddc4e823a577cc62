# METADATA
# title: Image has no registry digest
# description: >-
#   The image has no repository digest: it was built locally or loaded from a
#   tarball and never pushed to or pulled from a registry. Deployments cannot pin it
#   by digest and its provenance cannot be checked against a registry or signature.
#   Incubating, as it fires on every local development build.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-010
#   kind: image
#   severity: LOW
#   maturity: incubating
#   recommended_action: Run images pulled from a trusted registry and reference them by digest (name@sha256:...).
#   frameworks:
#     cis-docker: ["4.2"]
#     mitre: ["T1525"]
package vigil.image.no_digest

import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	count(input.image.repo_digests) == 0
	msg := sprintf("image %s has no registry digest; it cannot be pinned or verified by digest", [text.quote(image.display_name(input.image))])
}
