# METADATA
# title: Docker socket has unsafe ownership
# description: >-
#   The Docker API socket must be owned by root and group-owned by docker (or
#   root). Any other owner or group can drive the daemon, which is root on the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-019
#   kind: host
#   severity: HIGH
#   maturity: stable
#   recommended_action: chown root:docker /var/run/docker.sock (and fix whatever changed it).
#   frameworks:
#     cis-docker: ["3.15"]
package vigil.host.docker_socket_ownership

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	some f in host.existing_files(h)
	_is_docker_socket(f.path, h)
	not _safe_owner(f)
	msg := sprintf(
		"host %s: Docker socket %s is owned by %s, expected root:docker",
		[text.quote(host.display_name(h)), f.path, host.owner(f)],
	)
}

_is_docker_socket(path, _) if path in config.value("docker_sockets")

_is_docker_socket(path, h) if concat("", ["unix://", path]) in h.daemon.hosts

_safe_owner(f) if {
	f.uid == 0
	_safe_group(f)
}

_safe_group(f) if f.gid == 0

_safe_group(f) if f.group == "docker"
