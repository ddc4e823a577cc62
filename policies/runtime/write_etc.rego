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
#   frameworks:
#     mitre: ["T1098", "T1546.004", "T1053.003"]
package vigil.runtime.write_etc

default _configured := {}

_configured := data.vigil.config

deny contains msg if {
	fact := input.file_access
	_in_container(fact.container)
	_modifies(fact)
	startswith(fact.path, "/etc/")
	not _path_allowed(fact.path, "runtime_etc_write_allowed_paths")
	p := fact.process
	msg := sprintf("%s (pid %d) in container %q modified %s (%s)", [_exe(p), p.pid, _name(fact.container), fact.path, fact.operation])
}

_modifies(fact) if fact.write

_modifies(fact) if fact.operation in {"unlink", "rename", "chmod"}

_path_allowed(path, key) if {
	some pattern in object.get(_configured, key, [])
	glob.match(pattern, ["/"], path)
}

_in_container(c) if {
	not c.host
	c.id != ""
}

_name(c) := c.name if {
	c.name != ""
} else := c.id

_exe(p) := p.exe if {
	p.exe != ""
} else := p.comm
