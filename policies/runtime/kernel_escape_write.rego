# METADATA
# title: Write to a kernel escape interface
# description: >-
#   A process in a container wrote to a kernel interface that runs a program on the
#   host: a cgroup release_agent (CVE-2022-0492), /proc/sys/kernel/core_pattern,
#   modprobe or hotplug, /sys/kernel/uevent_helper, binfmt_misc registration, or
#   /proc/sysrq-trigger. These are well-known container escapes.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-022
#   kind: file_access
#   severity: CRITICAL
#   maturity: stable
#   recommended_action: "Kill the container; check the host for a changed core_pattern, release_agent, modprobe path or binfmt handler. Drop CAP_SYS_ADMIN and keep /proc and /sys read-only."
#   kernel_filter:
#     write_paths: ["/sys/fs/cgroup/", "/proc/sys/kernel/", "/sys/kernel/uevent_helper", "/proc/sys/fs/binfmt_misc/", "/proc/sysrq-trigger"]
#   frameworks:
#     mitre: ["T1611"]
package vigil.runtime.kernel_escape_write

import data.vigil.lib.event
import data.vigil.lib.text

_patterns := [
	`^/sys/fs/cgroup/(.*/)?release_agent$`,
	`^/proc/sys/kernel/(core_pattern|modprobe|hotplug)$`,
	`^/sys/kernel/uevent_helper$`,
	`^/proc/sys/fs/binfmt_misc/register$`,
	`^/proc/sysrq-trigger$`,
]

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.write
	some pattern in _patterns
	regex.match(pattern, fact.path)
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s wrote to %s, a container escape path", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path])
}
