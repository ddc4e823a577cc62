# METADATA
# title: Executable run from a temporary directory
# description: >-
#   A process ran a binary located in /tmp, /var/tmp, /dev/shm, /run/shm or
#   /dev/mqueue, or a shell ran a script from there (Docker mounts /dev/shm noexec,
#   so a dropper there runs as `sh /dev/shm/x`). World-writable scratch directories
#   are where droppers put their payloads; applications are installed elsewhere. Paths matching the globs in
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

import data.vigil.lib.event
import data.vigil.lib.text

_dirs := ["/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/dev/mqueue/"]

# Two bodies, so the rule index sees each one's own test: the binary's path, or a shell and its script's path.
deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	some dir in _dirs
	startswith(fact.process.exe, dir)
	msg := _finding(fact, fact.process.exe, dir)
}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	event.is_shell(fact.process)
	file := _script(fact.process.args)
	some dir in _dirs
	startswith(file, dir)
	msg := _finding(fact, file, dir)
}

_finding(fact, file, dir) := msg if {
	not event.path_listed(file, "runtime_tmp_exec_allowed_paths")
	msg := sprintf("container %s executed %s (pid %d) from temporary directory %s", [text.quote(event.name(fact.container)), file, fact.process.pid, trim_suffix(dir, "/")])
}

# sh FILE, sh -e FILE ...: the first argument that is not an option (not after -c, whose argument is a command).
_script(args) := file if {
	not "-c" in args
	rest := [a | some a in array.slice(args, 1, count(args)); not startswith(a, "-")]
	file := rest[0]
}
