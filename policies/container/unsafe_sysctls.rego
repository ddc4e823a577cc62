# METADATA
# title: Container sets unsafe sysctls
# description: >-
#   Only the namespaced sysctls of the Pod Security Standards' safe set
#   (data.vigil.config.allowed_sysctls) are isolated from other workloads; others can
#   affect the whole node or weaken its network stack.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-034
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove the sysctl, or set it on the node; allowlist reviewed ones in
#     data.vigil.config.allowed_sysctls.
#   frameworks:
#     pss: ["baseline/sysctls"]
package vigil.container.unsafe_sysctls

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some name, value in c.sysctls
	not name in _allowed(c)
	msg := sprintf(
		"container %s sets sysctl %s=%s, which is not in the safe set",
		[text.quote(container.display_name(c)), name, value],
	)
}

# Docker: the configured list. Kubernetes: Pod Security's list for the version judged.
_allowed(c) := config.value("allowed_sysctls") if not container.is_kubernetes(c)

_allowed(c) := _pss_allowed if container.is_kubernetes(c)

_pss_allowed contains name if {
	some since, names in _pss_sysctls
	container.pss_since(since)
	some name in names
}

_pss_sysctls := {
	0: [
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
	],
	27: ["net.ipv4.ip_local_reserved_ports"],
	29: ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"],
	32: ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"],
	37: ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"],
}
