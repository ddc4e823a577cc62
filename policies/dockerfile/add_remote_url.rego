# METADATA
# title: Dockerfile ADDs remote content without a checksum
# description: >-
#   ADD fetches a URL or git repository at build time without --checksum, so the image
#   holds whatever the server returned that day.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-004
#   kind: dockerfile
#   severity: HIGH
#   maturity: stable
#   recommended_action: Pin the content with ADD --checksum=sha256:... , or download in RUN and verify a checksum or signature; prefer vendored content with COPY.
#   frameworks:
#     cis-docker: ["4.9", "4.11"]
#     mitre: ["T1195.002"]
package vigil.dockerfile.add_remote_url

import data.vigil.lib.build_commands
import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": add.line} if {
	some [_, add] in dockerfile.instructions
	add.keyword == "ADD"
	some src in _words(add)
	build_commands.remote_source(src)
	not _checksummed(add)
	msg := sprintf("%s: ADD fetches %s without --checksum", [dockerfile.name, src])
}

_words(add) := add.exec_form if count(add.exec_form) > 0

else := split(add.arguments, " ")

_checksummed(add) if {
	some flag in add.flags
	flag.name == "checksum"
	flag.value != ""
}
