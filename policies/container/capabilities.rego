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
	not container.is_kubernetes(c)
	not c.privileged
	extra := _extra(c)
	count(extra) > 0
	msg := sprintf(
		"container %s has capabilities beyond Docker's default set: %s",
		[text.quote(container.display_name(c)), capabilities.names(extra)],
	)
}

# Kubernetes: Pod Security's baseline list, compared exactly as written (case and
# any CAP_ prefix count; NET_RAW, in Docker's default set, is not in it).
deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	extra := {cap | some cap in object.get(c.kubernetes, "cap_add_as_written", []); not cap in _pss_baseline}
	count(extra) > 0
	msg := sprintf(
		"container %s adds capabilities outside the Pod Security baseline set: %s",
		[text.quote(container.display_name(c)), concat(", ", sort([text.quote(cap) | some cap in extra]))],
	)
}

_pss_baseline := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

_extra(c) := (_granted(c) - {"ALL"}) - _permitted

_granted(c) := capabilities.normalize_all(c.capabilities) | capabilities.normalize_all(c.cap_add)

_permitted := capabilities.normalize_all(config.value("default_capabilities")) | capabilities.normalize_all(config.value("allowed_capabilities"))
