# METADATA
# title: Docker configuration file permissions are too open
# description: >-
#   Docker's unit files and configuration should be 644 or stricter (/etc/docker
#   755), certificates 444, the daemon's TLS key 400 and containerd's socket 660.
#   Wider modes let other users read keys or change the daemon's configuration.
#   Files are matched by data.vigil.config.docker_files plus the TLS files the
#   daemon is configured with.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-022
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: chmod the listed file to the expected mode or stricter.
#   frameworks:
#     cis-docker: ["3.2", "3.4", "3.6", "3.8", "3.10", "3.12", "3.14", "3.18", "3.20", "3.21", "3.24"]
package vigil.host.docker_file_permissions

import data.vigil.lib.docker_files
import data.vigil.lib.host
import data.vigil.lib.text

# Each file under its own CIS id.
deny contains {"msg": msg, "frameworks": {"cis-docker": [expectation.permissions]}} if {
	h := input.host
	some f in host.existing_files(h)
	expectation := docker_files.expectation(f.path, h.daemon)
	bits.and(f.mode, 4095 - expectation.max_mode) != 0
	msg := sprintf(
		"host %s: %s has mode %s, expected %s or more restrictive (CIS %s)",
		[
			text.quote(host.display_name(h)), f.path, host.octal(f.mode),
			host.octal(expectation.max_mode), expectation.permissions,
		],
	)
}
