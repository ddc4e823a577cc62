# METADATA
# title: Executable run from a temporary directory
# description: >-
#   A process ran a binary located in /tmp, /var/tmp, /dev/shm, /run/shm or
#   /dev/mqueue. World-writable scratch directories are where droppers put their
#   payloads; applications are installed elsewhere. Paths matching the globs in
#   data.vigil.config.runtime_tmp_exec_allowed_paths are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-010
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find what wrote the file (file_access events, drift); mount /tmp and /dev/shm noexec and run with a read-only root filesystem."
#   frameworks:
#     mitre: ["T1059", "T1036.005"]
package vigil.runtime.exec_from_tmp

import data.vigil.runtime.lib.event

_dirs := ["/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/dev/mqueue/"]

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	some dir in _dirs
	startswith(p.exe, dir)
	not event.path_listed(p.exe, "runtime_tmp_exec_allowed_paths")
	msg := sprintf("container \"%s\" executed %s (pid %d) from temporary directory %s", [event.name(fact.container), p.exe, p.pid, trim_suffix(dir, "/")])
}
