# METADATA
# title: Docker files are not audited
# description: >-
#   auditd should watch the Docker daemon, containerd, runc and their
#   configuration (data.vigil.config.audit_paths) so that changes to them leave
#   a trail. Paths the collector reports as missing on this host are not required.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-023
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Add watches such as "-w /usr/bin/dockerd -k docker" to /etc/audit/rules.d/docker.rules
#     for each listed path and reload auditd (augenrules --load).
#   frameworks:
#     cis-docker: ["1.1.3", "1.1.4", "1.1.5", "1.1.6", "1.1.7", "1.1.8", "1.1.9", "1.1.10", "1.1.11", "1.1.12", "1.1.13", "1.1.14", "1.1.15", "1.1.16", "1.1.17", "1.1.18"]
package vigil.host.audit_rules

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

# One finding per path, under its own CIS id.
deny contains {"msg": msg, "frameworks": {"cis-docker": [entry.cis]}} if {
	h := input.host
	host.docker_installed(h)
	some entry in config.value("audit_paths")
	not _absent(entry.path, h.files)
	not _watched(entry.path, h.audit_rules)
	msg := sprintf("host %s: auditd does not watch %s (CIS %s)", [text.quote(host.display_name(h)), entry.path, entry.cis])
}

# A path is absent when the collector reports it, and every report says missing.
_absent(path, files) if {
	reports := [f | some f in files; _same(f.path, path)]
	count(reports) > 0
	every f in reports {
		not f.exists
	}
}

_watched(path, rules) if {
	some line in rules
	some token in split(line, " ")
	_same(trim_prefix(trim_prefix(token, "path="), "dir="), path)
}

# Absolute paths compare exactly; bare names (docker.service) match any directory.
_same(candidate, path) if candidate == path

_same(candidate, path) if {
	not startswith(path, "/")
	endswith(candidate, concat("", ["/", path]))
}
