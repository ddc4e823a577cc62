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

import data.vigil.lib.paths

default _configured := {}

_configured := data.vigil.config

_tools := {"docker", "kubectl", "crictl", "ctr", "nerdctl", "podman", "runc", "helm"}

deny contains msg if {
	fact := input.process_exec
	_in_container(fact.container)
	p := fact.process
	_is_tool(p)
	not _image_allowed(fact.container.image)
	msg := sprintf("container management tool %s (pid %d) run in container %q: %s", [_exe(p), p.pid, _name(fact.container), substring(concat(" ", p.args), 0, 200)])
}

_is_tool(p) if p.comm in _tools

_is_tool(p) if paths.basename(p.exe) in _tools

_image_allowed(image) if {
	some pattern in object.get(_configured, "runtime_admin_tool_allowed_images", [])
	glob.match(pattern, ["/"], image)
}

_in_container(c) if {
	not c.host
	c.id != ""
}

_name(c) := c.name if {
	c.name != ""
} else := c.id

_exe(p) := p.exe if {
	p.exe != ""
} else := p.comm
