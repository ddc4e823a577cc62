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
import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.privilege_change
	event.in_container(fact.container)
	fact.change == "capset"
	gained := capabilities.normalize_all(fact.capabilities_gained) - _allowed
	count(gained) > 0
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s gained capabilities %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), capabilities.names(gained)])
}

_allowed := capabilities.normalize_all([c | some c in data.vigil.config.runtime_capset_allowed_capabilities])
