# METADATA
# title: Dockerfile uses ADD for local files
# description: >-
#   ADD copies local files like COPY, but also unpacks archives and fetches URLs, so a
#   changed source silently changes what it does. Flagged when every source is a local
#   path that is not a tar archive.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-DKF-003
#   kind: dockerfile
#   severity: LOW
#   maturity: stable
#   recommended_action: Use COPY for local files; unpack archives explicitly in a RUN step when that is intended.
#   frameworks:
#     cis-docker: ["4.9"]
package vigil.dockerfile.add_instead_of_copy

import data.vigil.lib.build_commands
import data.vigil.lib.dockerfile

deny contains {"msg": msg, "line": add.line} if {
	some [_, add] in dockerfile.instructions
	add.keyword == "ADD"
	count(add.heredocs) == 0
	sources := _sources(add)
	count(sources) > 0
	every src in sources {
		not build_commands.remote_source(src)
		not build_commands.archive_source(src)
	}
	msg := sprintf("%s: ADD %s copies local files; use COPY", [dockerfile.name, dockerfile.short(add.arguments)])
}

_sources(add) := array.slice(add.exec_form, 0, count(add.exec_form) - 1) if count(add.exec_form) > 1

else := array.slice(words, 0, count(words) - 1) if {
	words := [w | some w in split(add.arguments, " "); w != ""]
	count(words) > 1
}

else := []
