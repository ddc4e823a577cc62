# METADATA
# title: Probe or lifecycle handler sets a host
# description: >-
#   A liveness, readiness or startup probe, or a postStart or preStop handler, names a
#   host (httpGet.host or tcpSocket.host). The kubelet then connects from the node to
#   that host, which lets a pod make the node reach addresses the pod itself may not.
#   The baseline Pod Security Standard forbids it since Kubernetes 1.34.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-042
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove host from the probe or lifecycle handler: the kubelet then targets the pod's own IP.
#   frameworks:
#     pss: ["baseline/host-probes"]
package vigil.container.host_probes

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	container.pss_since(34)
	hosts := object.get(container.k8s(c), "probe_hosts", [])
	count(hosts) > 0
	msg := sprintf(
		"container %s has probes or lifecycle handlers that target host %s",
		[text.quote(container.display_name(c)), concat(", ", sort([text.quote(h) | some h in {h | some h in hosts}]))],
	)
}
