# METADATA
# title: Link created to a sensitive file
# description: >-
#   A process in a container made a symbolic or hard link whose target is a sensitive
#   file or directory (/etc/shadow, /etc/sudoers, /etc, /root, SSH keys, ...): a way to
#   read or overwrite it through a name that file rules and allowlists do not watch.
#   Executables listed (exe path or comm) in data.vigil.config.runtime_link_allowed_exes
#   are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-036
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the process that made the link and remove the link; run the container with a read-only root file system."
#   kernel_filter:
#     link_targets: ["/etc", "/root", "/var/run/secrets"]
#   frameworks:
#     mitre: ["T1555", "T1222.002"]
package vigil.runtime.sensitive_link

import data.vigil.lib.event
import data.vigil.lib.paths
import data.vigil.lib.text

_files := {"/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/pam.conf", "/etc/passwd", "/etc/group"}

_dirs := ["/etc", "/root", "/etc/sudoers.d", "/etc/pam.d", "/etc/ssh", "/root/.ssh", "/var/run/secrets"]

_kinds := {"symlink": "symbolic link", "link": "hard link"}

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	kind := _kinds[fact.operation]
	_sensitive(fact.target)
	p := fact.process
	not event.process_listed(p, "runtime_link_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s created %s %s to sensitive %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), kind, fact.path, fact.target])
}

_sensitive(target) if paths.clean(target) in _files

_sensitive(target) if paths.equals_any(target, _dirs)
