# METADATA
# title: Sensitive file read through a ../ path
# description: >-
#   A process in a container opened a file under /etc, an SSH directory or a private
#   key through a path with ../ components (/tmp/../etc/shadow, ../../root/.ssh/id_rsa):
#   how path-traversal exploits of web applications reach files outside their root.
#   The collector resolves the path and keeps the one the process gave.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-044
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the application that built the path from user input and fix its path handling; treat the file as read."
#   frameworks:
#     mitre: ["T1555", "T1083"]
package vigil.runtime.directory_traversal_read

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.read
	contains(fact.requested_path, "../")
	_monitored(fact.path)
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s read %s through %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path, fact.requested_path])
}

_monitored(path) if startswith(path, "/etc/")

_monitored(path) if contains(path, "/.ssh/")

_monitored(path) if contains(path, "id_rsa")
