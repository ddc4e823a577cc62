# METADATA
# title: Container has capabilities beyond the default set
# description: >-
#   The container's effective capabilities include some that Docker does not grant
#   by default (such as SYS_ADMIN, NET_ADMIN or SYS_PTRACE) and that are not in
#   data.vigil.config.allowed_capabilities. Each extra capability widens the
#   kernel surface a compromised process can use to escape.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-002
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Drop the listed capabilities (better: --cap-drop ALL and add back only what is needed),
#     or add them to data.vigil.config.allowed_capabilities if the workload truly needs them.
#   frameworks:
#     cis-docker: ["5.4"]
#     pss: ["baseline/capabilities"]
#     mitre: ["T1611"]
package vigil.container.capabilities

import data.vigil.lib.capabilities
import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not c.privileged
	extra := _extra(c)
	count(extra) > 0
	msg := sprintf(
		"container %s has capabilities beyond Docker's default set: %s",
		[text.quote(container.display_name(c)), capabilities.names(extra)],
	)
}

_extra(c) := (_granted(c) - {"ALL"}) - _permitted

_granted(c) := capabilities.normalize_all(c.capabilities) | capabilities.normalize_all(c.cap_add)

_permitted := capabilities.normalize_all(config.value("default_capabilities")) | capabilities.normalize_all(config.value("allowed_capabilities"))
