# METADATA
# title: Dockerfile builds on a mutable base tag
# description: >-
#   A FROM names its base image with the tag latest or with no tag at all (which means
#   latest) and no digest. Each build may then start from a different image.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-008
#   kind: dockerfile
#   severity: LOW
#   maturity: stable
#   recommended_action: Pin the base image to a release tag and its digest (FROM debian:12.7-slim@sha256:...).
#   frameworks:
#     cis-docker: ["4.2"]
#     mitre: ["T1525"]
package vigil.dockerfile.base_latest

import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": stage.line} if {
	some stage in input.dockerfile.stages
	dockerfile.external_base(stage)
	not contains(stage.base, "@")
	_tag(stage.base) in {"", "latest"}
	msg := sprintf("%s: FROM %s uses the mutable tag latest", [dockerfile.name, stage.base])
}

# The tag is after the last ":" of the last path component (a registry port is not a tag).
_tag(ref) := tag if {
	parts := split(ref, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	pieces := split(last, ":")
	tag := pieces[count(pieces) - 1]
} else := ""
