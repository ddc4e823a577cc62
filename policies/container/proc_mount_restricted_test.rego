package vigil.container.proc_mount_restricted_test

import data.vigil.container.proc_mount_restricted

_fact(proc_mount, host_users) := {"kind": "container", "container": {"name": "app", "kubernetes": {"proc_mount": proc_mount, "host_users": host_users}}}

test_unmasked_denied_with_or_without_user_namespace if {
	msg := "container \"app\" uses procMount \"Unmasked\"; the restricted level requires Default even with its own user namespace"
	proc_mount_restricted.deny == {msg} with input as _fact("Unmasked", false)
	proc_mount_restricted.deny == {msg} with input as _fact("Unmasked", true)
}

test_default_allowed if {
	count(proc_mount_restricted.deny) == 0 with input as _fact("Default", false)
	count(proc_mount_restricted.deny) == 0 with input as _fact("", false)
}
