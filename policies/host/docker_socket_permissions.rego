# METADATA
# title: Docker socket permissions are too open
# description: >-
#   The Docker API socket should be mode 660 or more restrictive. Any bit beyond
#   that (world access in particular) lets more users drive the daemon, which is
#   root on the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-020
#   kind: host
#   severity: HIGH
#   maturity: stable
#   recommended_action: chmod 660 /var/run/docker.sock (and fix whatever changed it).
#   frameworks:
#     cis-docker: ["3.16"]
package vigil.host.docker_socket_permissions

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	some f in host.existing_files(h)
	_is_docker_socket(f.path, h)
	bits.and(f.mode, 4095 - 432) != 0
	msg := sprintf(
		"host %s: Docker socket %s has mode %s, expected 0660 or more restrictive",
		[text.quote(host.display_name(h)), f.path, host.octal(f.mode)],
	)
}

_is_docker_socket(path, _) if path in config.value("docker_sockets")

_is_docker_socket(path, h) if concat("", ["unix://", path]) in h.daemon.hosts
