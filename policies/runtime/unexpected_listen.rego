# METADATA
# title: Listening socket outside the workload profile
# description: >-
#   A process in a container started listening on a port that the workload's
#   profile (data.vigil.profiles, keyed by container name, image reference or image
#   repository) does not list in listen_ports. Fires only for workloads whose profile
#   defines listen_ports; a bind shell or backdoor shows up this way.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-025
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the port is legitimate add it to listen_ports in the workload's profile; otherwise look for a bind shell or backdoor."
#   frameworks:
#     mitre: ["T1571", "T1205"]
package vigil.runtime.unexpected_listen

deny contains msg if {
	fact := input.network_connection
	_in_container(fact.container)
	fact.direction == "listen"
	profile := _profile(fact.container)
	"listen_ports" in object.keys(profile)
	not fact.local_port in profile.listen_ports
	msg := sprintf("%s (pid %d) in container %q listens on %s port %d, which is not in its profile", [_exe(fact.process), fact.process.pid, _name(fact.container), fact.protocol, fact.local_port])
}

default _profiles := {}

_profiles := data.vigil.profiles

# _profile finds the workload profile by container name, image reference, then
# image repository (reference without tag or digest).
_profile(c) := profile if {
	profile := _profiles[trim_prefix(c.name, "/")]
} else := profile if {
	profile := _profiles[c.image]
} else := profile if {
	profile := _profiles[_repository(c.image)]
}

_repository(image) := concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [split(parts[count(parts) - 1], ":")[0]])) if {
	parts := split(split(image, "@")[0], "/")
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
