# METADATA
# title: Sensitive host directory mounted into a container
# description: >-
#   The container mounts a sensitive host directory (by default /, /boot, /dev,
#   /etc, /lib, /proc, /sys, /usr or anything below them; see
#   data.vigil.config.sensitive_host_paths). Even read-only, these expose
#   secrets and kernel interfaces; read-write they let the container change the host.
#   Read-only mounts of the paths in read_only_host_paths_allowed (such as
#   /etc/localtime) are not reported.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-003
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Do not bind-mount host system directories; mount a dedicated directory or a
#     named volume, read-only where possible.
#   frameworks:
#     cis-docker: ["5.6"]
#     pss: ["baseline/hostpath-volumes"]
#     mitre: ["T1611"]
package vigil.container.sensitive_mounts

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.paths
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some m in container.host_mounts(c)
	_sensitive(m.source)
	not _tolerated(m)
	msg := sprintf(
		"container %s mounts sensitive host path %s at %s (%s)",
		[text.quote(container.display_name(c)), text.quote(paths.clean(m.source)), text.quote(m.destination), container.access(m)],
	)
}

# "/" in the list means the host's root itself, not everything below it.
_sensitive(source) if {
	some prefix in config.value("sensitive_host_paths")
	paths.clean(prefix) != "/"
	paths.within(source, prefix)
}

_sensitive(source) if {
	"/" in config.value("sensitive_host_paths")
	paths.clean(source) == "/"
}

_tolerated(m) if {
	not m.read_write
	paths.equals_any(m.source, config.value("read_only_host_paths_allowed"))
}
