# METADATA
# title: SSH server running in a container
# description: >-
#   sshd started inside a container. A container is entered with `docker exec`;
#   an SSH server in it is one more service to patch, more keys to manage, and a way
#   in that bypasses the engine's access control. CIS Docker 5.7.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-054
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Remove the SSH server from the image and use docker exec (or kubectl exec) to enter the container."
#   frameworks:
#     cis-docker: ["5.7"]
#     mitre: ["T1021.004"]
package vigil.runtime.sshd_in_container

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, {"sshd", "dropbear"})
	msg := sprintf("SSH server %s (pid %d) started in container %s", [event.exe(p), p.pid, text.quote(event.name(fact.container))])
}
