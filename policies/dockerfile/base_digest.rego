# METADATA
# title: Dockerfile base image is not pinned by digest
# description: >-
#   A FROM names its base image by tag only. Tags move, so the build cannot be
#   reproduced or verified; a digest (name@sha256:...) names one image.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-009
#   kind: dockerfile
#   severity: LOW
#   maturity: incubating
#   recommended_action: Add the digest to the FROM (FROM debian:12.7-slim@sha256:...), updated by a bot such as Renovate or Dependabot.
#   frameworks:
#     cis-docker: ["4.2"]
#     mitre: ["T1525"]
package vigil.dockerfile.base_digest

import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": stage.line} if {
	some stage in input.dockerfile.stages
	dockerfile.external_base(stage)
	not contains(stage.base, "@sha256:")
	msg := sprintf("%s: FROM %s is not pinned by digest", [dockerfile.name, stage.base])
}
