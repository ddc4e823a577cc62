# METADATA
# title: Process gained capabilities
# description: >-
#   A process in a container added capabilities to its effective set (capset, or exec
#   of a binary with file capabilities). Capabilities listed (names without CAP_) in
#   data.vigil.config.runtime_capset_allowed_capabilities are ignored. Incubating
#   until its noise on real workloads is measured.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-029
#   kind: privilege_change
#   severity: MEDIUM
#   maturity: incubating
#   recommended_action: "Check which binary grants the capabilities (file capabilities, setuid); drop them from the container (--cap-drop) and set no-new-privileges."
#   frameworks:
#     mitre: ["T1548"]
package vigil.runtime.capabilities_gained

import data.vigil.lib.capabilities

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.privilege_change
	_in_container(fact.container)
	fact.change == "capset"
	gained := capabilities.normalize_all(fact.capabilities_gained) - capabilities.normalize_all(object.get(_configured, "runtime_capset_allowed_capabilities", []))
	count(gained) > 0
	p := fact.process
	msg := sprintf("%s (pid %d) in container %q gained capabilities %s", [_exe(p), p.pid, _name(fact.container), capabilities.names(gained)])
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
