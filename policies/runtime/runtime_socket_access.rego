# METADATA
# title: Container runtime socket accessed from a container
# description: >-
#   A process in a container opened or connected to a container runtime's API socket
#   (Docker, containerd, CRI-O, Podman, cri-dockerd; the runtime_sockets list of
#   data.vigil.config). Whoever talks to that socket can start a privileged
#   container and own the host. The collector reports Unix connects to these
#   sockets as file_access with operation "connect".
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-021
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Remove the runtime socket mount (CIS 5.32); a container that can talk to the runtime controls the host."
#   kernel_filter:
#     read_paths: ["/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/", "/run/containerd/", "/var/run/crio/", "/run/crio/", "/var/run/podman/", "/run/podman/", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock", "/run/k3s/containerd/"]
#     socket_paths: ["/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/", "/run/containerd/", "/var/run/crio/", "/run/crio/", "/var/run/podman/", "/run/podman/", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock", "/run/k3s/containerd/"]
#   frameworks:
#     mitre: ["T1609", "T1611"]
package vigil.runtime.runtime_socket_access

import data.vigil.lib.config
import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.path in config.value("runtime_sockets")
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s accessed container runtime socket %s (%s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path, fact.operation])
}
