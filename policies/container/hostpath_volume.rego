# METADATA
# title: Kubernetes pod uses hostPath volumes
# description: >-
#   The baseline Pod Security Standard forbids hostPath volumes: they give the pod
#   direct access to the node's file system. Sensitive directories are reported
#   separately with higher severity; Docker bind mounts are not reported by this rule.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-030
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Replace hostPath volumes with persistentVolumeClaim, emptyDir, configMap or CSI
#     volumes.
#   frameworks:
#     pss: ["baseline/hostpath-volumes"]
#     mitre: ["T1611"]
package vigil.container.hostpath_volume

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	some m in container.host_mounts(c)
	msg := sprintf(
		"container %s mounts hostPath volume %s at %s",
		[text.quote(container.display_name(c)), text.quote(m.source), text.quote(m.destination)],
	)
}

deny contains msg if {
	c := input.container
	"hostPath" in object.get(container.k8s(c), "volume_types", [])
	count(container.host_mounts(c)) == 0
	msg := sprintf(
		"container %s belongs to pod %s, which declares hostPath volumes",
		[text.quote(container.display_name(c)), text.quote(c.kubernetes.pod)],
	)
}
