# METADATA
# title: Container fact helpers
# description: >-
#   Shared reading of a ContainerFact: the name to show in messages, the user a
#   container runs as, its namespaces and whether it is a Kubernetes workload.
# scope: package
# custom:
#   library: true
package vigil.lib.container

import data.vigil.lib.config

# display_name names a container for messages: its name, else a short id.
display_name(c) := trim_prefix(c.name, "/") if c.name != ""

display_name(c) := substring(c.id, 0, 12) if {
	c.name == ""
	c.id != ""
}

display_name(c) := "<unnamed>" if {
	c.name == ""
	c.id == ""
}

# namespace_mode returns the container's mode for a namespace ("pid", "ipc", ...),
# "" when the fact carries no namespace information.
namespace_mode(c, ns) := object.get(object.get(c, "namespaces", {}), ns, "") if c.namespaces != null

namespace_mode(c, _) := "" if c.namespaces == null

# shares_host is true when the container joins the host's namespace ns.
shares_host(c, ns) if lower(namespace_mode(c, ns)) == "host"

# uid returns the numeric uid the container runs as, when it is known: the
# collector's resolution first, then a numeric or "root" user setting.
uid(c) := c.run_as_uid

uid(c) := _user_uid(c.user) if not "run_as_uid" in object.keys(c)

_user_uid(user) := to_number(name) if {
	name := split(user, ":")[0]
	regex.match(`^[0-9]+$`, name)
}

_user_uid(user) := 0 if split(user, ":")[0] == "root"

# is_kubernetes is true for containers that come from Kubernetes.
is_kubernetes(c) if c.kubernetes != null

# windows_pod is true for containers of a Kubernetes pod with spec.os.name
# windows: Pod Security's restricted capabilities, privilege escalation and
# seccomp checks do not apply to them (the API refuses those fields there).
windows_pod(c) if k8s(c).os_name == "windows"

# pss_since is true when the Pod Security Standards version judged
# (data.vigil.config.pss_version, a Kubernetes 1.x minor) is minor or newer.
pss_since(minor) if config.value("pss_version") >= minor

# pss_relaxed_for_user_namespace is true for a pod with its own user namespace
# under Pod Security 1.35 or newer, which exempts it from the run-as-root checks
# and the baseline procMount check.
pss_relaxed_for_user_namespace(c) if {
	user_namespace_pod(c)
	pss_since(35)
}

# user_namespace_pod is true for containers of a Kubernetes pod with
# hostUsers: false, for which Pod Security relaxes its run-as-root and
# procMount checks.
user_namespace_pod(c) if k8s(c).host_users == false

# k8s returns the Kubernetes context, or an empty object for other containers.
k8s(c) := c.kubernetes if c.kubernetes != null

k8s(c) := {} if c.kubernetes == null

# resource returns a field of the container's resources, 0 or "" when absent.
resource(c, field, fallback) := object.get(c.resources, field, fallback) if c.resources != null

resource(c, _, fallback) := fallback if c.resources == null

# host_mounts returns the mounts that bind a host path into the container
# (Docker bind mounts, Kubernetes hostPath volumes).
host_mounts(c) := [m |
	some m in c.mounts
	_is_host_mount(m)
]

_is_host_mount(m) if lower(m.type) in {"bind", "hostpath"}

_is_host_mount(m) if {
	m.type == ""
	startswith(m.source, "/")
}

# access describes a mount's mode for messages.
access(m) := "read-write" if m.read_write

access(m) := "read-only" if not m.read_write
