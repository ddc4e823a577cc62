# METADATA
# title: Write below a binary or library directory
# description: >-
#   A process in a container created, modified, deleted, renamed or chmod-ed a file
#   under /bin, /sbin, /usr/bin, /usr/sbin, /usr/local/bin, /usr/local/sbin, /lib,
#   /lib64, /usr/lib, /usr/lib64, /usr/libexec or /usr/local/lib: replacing or
#   planting executables and shared libraries. Paths matching the globs in
#   data.vigil.config.runtime_binary_dir_write_allowed_paths (by default Python's
#   __pycache__) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-018
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the writer; rebuild instead of patching running containers and run with a read-only root filesystem."
#   kernel_filter:
#     write_paths: ["/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/", "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/", "/usr/local/lib/"]
#   frameworks:
#     mitre: ["T1554", "T1574.006"]
package vigil.runtime.write_binary_dir

import data.vigil.lib.event
import data.vigil.lib.text

_dirs := [
	"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/",
	"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/", "/usr/local/lib/",
]

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	_modifies(fact)
	some dir in _dirs
	startswith(fact.path, dir)
	not event.path_listed(fact.path, "runtime_binary_dir_write_allowed_paths")
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s modified %s (%s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path, fact.operation])
}

_modifies(fact) if fact.write

_modifies(fact) if fact.operation in {"unlink", "rename", "chmod"}
