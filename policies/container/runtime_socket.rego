# METADATA
# title: Container runtime socket mounted into a container
# description: >-
#   The container mounts the Docker, containerd, CRI-O or Podman API socket, or a
#   host directory that contains it (such as /var/run). Whoever can reach the
#   socket can start a privileged container and so controls the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-004
#   kind: container
#   severity: CRITICAL
#   maturity: stable
#   recommended_action: >-
#     Remove the socket mount. Tools that need the Docker API should use a
#     filtering proxy with a read-only allowlist, or run outside containers.
#   frameworks:
#     cis-docker: ["5.32"]
#     mitre: ["T1611", "T1610"]
package vigil.container.runtime_socket

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.paths
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some m in container.host_mounts(c)
	_is_socket(m.source)
	msg := sprintf(
		"container %s mounts the container runtime socket %s at %s",
		[text.quote(container.display_name(c)), text.quote(paths.clean(m.source)), text.quote(m.destination)],
	)
}

deny contains msg if {
	c := input.container
	some m in container.host_mounts(c)
	not _is_socket(m.source)
	paths.clean(m.source) != "/"
	some socket in config.value("runtime_sockets")
	paths.within(socket, m.source)
	msg := sprintf(
		"container %s mounts host directory %s at %s, which contains the container runtime socket %s",
		[text.quote(container.display_name(c)), text.quote(paths.clean(m.source)), text.quote(m.destination), text.quote(socket)],
	)
}

_is_socket(source) if paths.equals_any(source, config.value("runtime_sockets"))

_is_socket(source) if paths.basename(source) in config.value("runtime_socket_names")
