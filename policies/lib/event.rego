# METADATA
# title: Runtime event helpers
# description: >-
#   Shared reading of runtime facts (process_exec, file_access,
#   network_connection, privilege_change): whether the event comes from a
#   container, names for messages, shells, the rule-specific allowlists of
#   data.vigil.config and workload profiles of data.vigil.profiles (hand-written
#   ones by container name or image, learned ones by container.workload).
# scope: package
# custom:
#   library: true
package vigil.lib.event

import data.vigil.lib.paths
import data.vigil.lib.text

# in_container is true for events of container processes: a container id is
# known and the collector did not mark the process as a host process.
in_container(c) if {
	not c.host
	c.id != ""
}

# name names a container for messages: its name without Docker's leading "/",
# else its id.
name(c) := trim_prefix(c.name, "/") if {
	c.name != ""
} else := c.id

# exe names a process for messages: its executable path, else its comm.
exe(p) := p.exe if {
	p.exe != ""
} else := p.comm

shells := {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish"}

# named is true when the process's comm, executable base name or argv[0] base
# name is in names. argv[0] is how multi-call binaries pick their program:
# busybox's shell runs an applet by exec'ing /proc/self/exe, so the kernel
# reports comm "exe" and the exe is busybox, and only argv[0] says "nc".
named(p, names) if p.comm in names

named(p, names) if paths.basename(p.exe) in names

named(p, names) if paths.basename(p.args[0]) in names

# is_shell is true for shell processes, by comm or executable name.
is_shell(p) if named(p, shells)

# process_listed is true when the config list key names the process by exe path or comm.
process_listed(p, key) if {
	some entry in data.vigil.config[key]
	entry in {p.exe, p.comm}
}

# image_listed is true when a glob of the config list key matches the image ("/" separated).
image_listed(image, key) if {
	some pattern in data.vigil.config[key]
	glob.match(pattern, ["/"], image)
}

# package_managers are the OS package managers' program names.
package_managers := {"apt", "apt-get", "aptitude", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "tdnf"}

# path_listed is true when a glob of the config list key matches the path ("/" separated).
path_listed(path, key) if {
	some pattern in data.vigil.config[key]
	glob.match(pattern, ["/"], path)
}

# profile finds the hand-written workload profile in data.vigil.profiles by
# container name, image reference, then image repository (reference without tag
# or digest). Learned profiles (learned: true) are skipped: their sections have
# another shape and only the profile_drift rules read them (learned_profile).
profile(c) := p if {
	p := _hand_written(trim_prefix(c.name, "/"))
} else := p if {
	p := _hand_written(c.image)
} else := p if {
	p := _hand_written(repository(c.image))
}

_hand_written(key) := p if {
	p := data.vigil.profiles[key]
	not p.learned
}

# learned_profile is the learned profile that judges events of container c:
# data.vigil.profiles[c.workload] with learned: true and state "enforcing".
# Undefined for host processes, containers without a workload, hand-written
# profiles and profiles still learning.
learned_profile(c) := p if {
	in_container(c)
	c.workload != ""
	p := data.vigil.profiles[c.workload]
	p.learned == true
	p.state == "enforcing"
}

# peer_item is an outbound connection as learned profiles key their peers:
# <protocol>/<peer workload>:<port> when the collector knew the peer container's
# workload, else <protocol>/<remote address>:<port>.
peer_item(net) := sprintf("%s/%s:%d", [net.protocol, net.remote_workload, net.remote_port]) if {
	net.remote_workload != ""
} else := sprintf("%s/%s:%d", [net.protocol, net.remote_address, net.remote_port])

# learned_new is true when the learned profile has the section (executables,
# writes, ...) and item is not a key of it. A profile without the section does
# not judge that kind of item.
learned_new(profile, section, item) if {
	items := profile[section]
	not _has_key(items, item)
}

_has_key(items, key) if _ = items[key]

# learned_drift is the message of a profile_drift rule: container, workload, what
# it did that is new, and the profile version it departs from.
learned_drift(c, profile, what) := sprintf("container %s (workload %s) %s, not in its learned profile (version %v)", [
	text.quote(name(c)), c.workload, what, object.get(profile, "version", "?"),
])

# repository("registry:5000/shop/api:2@sha256:...") == "registry:5000/shop/api"
repository(image) := concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [split(parts[count(parts) - 1], ":")[0]])) if {
	parts := split(split(image, "@")[0], "/")
}
