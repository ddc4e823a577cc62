# METADATA
# title: Write below /etc in a container
# description: >-
#   A process in a running container created, modified, deleted, renamed or chmod-ed
#   a file under /etc: accounts (passwd, shadow, sudoers), cron, shell profiles,
#   ld.so.preload, resolver settings. Paths matching the globs in
#   data.vigil.config.runtime_etc_write_allowed_paths (by default the nginx image's
#   templated conf.d) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-019
#   kind: file_access
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find the writer; bake configuration into the image or mount it read-only, and run with a read-only root filesystem."
#   kernel_filter:
#     write_paths: ["/etc/"]
#   frameworks:
#     mitre: ["T1098", "T1546.004", "T1053.003"]
package vigil.runtime.write_etc

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	_modifies(fact)
	startswith(fact.path, "/etc/")
	not event.path_listed(fact.path, "runtime_etc_write_allowed_paths")
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s modified %s (%s)", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path, fact.operation])
}

_modifies(fact) if fact.write

_modifies(fact) if fact.operation in {"unlink", "rename", "chmod"}
