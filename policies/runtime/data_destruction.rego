# METADATA
# title: Bulk data destruction in a container
# description: >-
#   A container ran a tool that destroys data beyond recovery (shred, wipe, srm, mkfs),
#   or rm recursive and forced on a top-level directory: ransomware and cover-up
#   behaviour. Images matched by a glob in
#   data.vigil.config.runtime_data_destruction_allowed_images are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-039
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Stop the container and keep its writable layer for forensics (docker export); find who ran the command."
#   frameworks:
#     mitre: ["T1485", "T1070.004"]
package vigil.runtime.data_destruction

import data.vigil.lib.event
import data.vigil.lib.paths
import data.vigil.lib.text

_wipers := {"shred", "wipe", "srm", "sfill", "mkfs", "mke2fs", "mkfs.ext4", "mkfs.xfs", "mkswap"}

# Directories whose recursive removal destroys the system or its data.
_roots := {"/", "/*", "/etc", "/usr", "/var", "/home", "/root", "/opt", "/srv", "/data", "/var/lib", "/var/log", "/app"}

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	_destroys(p)
	not event.image_listed(fact.container.image, "runtime_data_destruction_allowed_images")
	msg := sprintf("%s (pid %d) in container %s destroys data: %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), substring(concat(" ", p.args), 0, 200)])
}

_destroys(p) if event.named(p, _wipers)

_destroys(p) if {
	event.named(p, {"rm"})
	_recursive_forced(array.slice(p.args, 1, count(p.args)))
	some arg in p.args
	_root(arg)
}

_root(arg) if arg in _roots

_root(arg) if {
	arg != "/"
	paths.clean(arg) in _roots
}

_recursive_forced(args) if {
	flags := concat("", [trim_prefix(a, "-") | some a in args; regex.match(`^-[a-zA-Z]+$`, a)])
	contains(lower(flags), "r")
	contains(flags, "f")
}

_recursive_forced(args) if {
	"--recursive" in args
	"--force" in args
}
