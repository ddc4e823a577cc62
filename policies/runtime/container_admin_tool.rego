# METADATA
# title: Container management tool run in a container
# description: >-
#   A container or cluster management CLI (docker, kubectl, crictl, ctr, nerdctl,
#   podman, runc, helm) ran inside a container: with a reachable runtime socket or
#   cluster credentials it controls other containers or the host. Images matching
#   data.vigil.config.runtime_admin_tool_allowed_images (globs; e.g. CI runners) are
#   ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-012
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find out why the workload drives the container runtime or cluster; remove the tools and credentials, or allow the image if it is a CI or operator workload."
#   frameworks:
#     mitre: ["T1609", "T1613"]
package vigil.runtime.container_admin_tool

import data.vigil.lib.event
import data.vigil.lib.text

_tools := {"docker", "kubectl", "crictl", "ctr", "nerdctl", "podman", "runc", "helm"}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, _tools)
	not event.image_listed(fact.container.image, "runtime_admin_tool_allowed_images")
	msg := sprintf("container management tool %s (pid %d) run in container %s: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}
