# METADATA
# title: Kubernetes API server contacted from a container
# description: >-
#   A process in a container connected to the Kubernetes API server: port 6443, or
#   port 443 of a cluster's API service address (data.vigil.config.runtime_k8s_api_servers;
#   default the kubeadm, k3s, GKE/AKS and EKS service addresses). Workloads seldom talk to
#   the API; an attacker with a stolen service-account token does. Pods in kube-system
#   and images matched by a glob in data.vigil.config.runtime_k8s_api_allowed_images
#   (operators, controllers) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-045
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Set automountServiceAccountToken: false where the workload does not need the API, restrict egress to the API server with a NetworkPolicy, and list legitimate clients in runtime_k8s_api_allowed_images."
#   frameworks:
#     mitre: ["T1613", "T1552.007"]
package vigil.runtime.k8s_api_contact

import data.vigil.lib.event
import data.vigil.lib.text

_default_servers := ["10.96.0.1", "10.43.0.1", "10.0.0.1", "172.20.0.1", "10.100.0.1"]

_servers := s if {
	s := data.vigil.config.runtime_k8s_api_servers
} else := _default_servers

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	_api(fact.remote_address, fact.remote_port)
	not fact.container.namespace == "kube-system"
	not event.image_listed(fact.container.image, "runtime_k8s_api_allowed_images")
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s connected to the Kubernetes API server at %s:%d", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port])
}

_api(_, 6443)

_api(address, 443) if address in _servers
