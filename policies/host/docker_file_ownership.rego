# METADATA
# title: Docker configuration file not owned by root
# description: >-
#   Docker's unit files, /etc/docker, daemon.json, its environment files, the
#   registry and daemon TLS certificates and keys, and containerd's socket must
#   be owned by root:root, or a less privileged user can change how the daemon
#   runs. Files are matched by data.vigil.config.docker_files plus the TLS files
#   the daemon is configured with.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-021
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: chown root:root on the listed file.
#   frameworks:
#     cis-docker: ["3.1", "3.3", "3.5", "3.7", "3.9", "3.11", "3.13", "3.17", "3.19", "3.22", "3.23"]
package vigil.host.docker_file_ownership

import data.vigil.lib.docker_files
import data.vigil.lib.host
import data.vigil.lib.text

# Each file under its own CIS id.
deny contains {"msg": msg, "frameworks": {"cis-docker": [expectation.ownership]}} if {
	h := input.host
	some f in host.existing_files(h)
	expectation := docker_files.expectation(f.path, h.daemon)
	not _root_owned(f)
	msg := sprintf(
		"host %s: %s is owned by %s, expected root:root (CIS %s)",
		[text.quote(host.display_name(h)), f.path, host.owner(f), expectation.ownership],
	)
}

_root_owned(f) if {
	f.uid == 0
	f.gid == 0
}
