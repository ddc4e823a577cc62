# METADATA
# title: Log or shell history tampering
# description: >-
#   A process in a container deleted or renamed a file under /var/log or a shell or
#   REPL history file (.bash_history, .ash_history, .zsh_history, .python_history,
#   ...), cut one to nothing (open with O_TRUNC, truncate(2), or the truncate and
#   shred tools): covering tracks.
#   Executables listed (exe path or comm) in
#   data.vigil.config.runtime_log_tamper_allowed_exes (by default logrotate) are
#   ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-020
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Preserve what is left (ship logs off the container), find the process and treat the container as compromised."
#   kernel_filter:
#     write_paths: ["/var/log/", "/root/.", "/home/"]
#   frameworks:
#     mitre: ["T1070.002", "T1070.003"]
package vigil.runtime.log_tampering

import data.vigil.lib.event
import data.vigil.lib.paths
import data.vigil.lib.text

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	_evidence(fact.path)
	p := fact.process
	_tampering(fact, p)
	not event.process_listed(p, "runtime_log_tamper_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s tampered with %s (%s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path, fact.operation])
}

_evidence(path) if startswith(path, "/var/log/")

_evidence(path) if regex.match(`/\.[a-z_]*history$`, path)

_tampering(fact, _) if fact.operation in {"unlink", "rename"}

_tampering(fact, _) if fact.truncated

_tampering(fact, p) if {
	fact.write
	_wiper(p)
}

_wiper(p) if p.comm in {"truncate", "shred"}

_wiper(p) if paths.basename(p.exe) in {"truncate", "shred"}
