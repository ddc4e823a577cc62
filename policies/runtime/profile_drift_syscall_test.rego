package vigil.runtime.profile_drift_syscall_test

import data.vigil.runtime.profile_drift_syscall

_container := {"id": "c1", "name": "web-1", "image": "busybox:1", "host": false, "workload": "compose:shop/web"}

_profile(state) := {"compose:shop/web": {
	"learned": true,
	"workload": "compose:shop/web",
	"version": 4,
	"state": state,
	"syscalls": {"read": true, "write": true},
}}

_fact(calls) := {"syscall_set": {"container": _container, "syscalls": calls, "source": "ebpf", "count": 1}}

test_new_call_fires_once_per_call if {
	r := profile_drift_syscall.deny with input as _fact(["read", "unshare", "mount"]) with data.vigil.profiles as _profile("enforcing")
	r == {
		"container \"web-1\" (workload compose:shop/web) made system call unshare, not in its learned profile (version 4)",
		"container \"web-1\" (workload compose:shop/web) made system call mount, not in its learned profile (version 4)",
	}
}

test_known_calls_silent if {
	r := profile_drift_syscall.deny with input as _fact(["read", "write"]) with data.vigil.profiles as _profile("enforcing")
	count(r) == 0
}

test_learning_silent if {
	r := profile_drift_syscall.deny with input as _fact(["unshare"]) with data.vigil.profiles as _profile("learning")
	count(r) == 0
}

test_host_silent if {
	host := object.union(_container, {"host": true, "id": ""})
	r := profile_drift_syscall.deny with input as {"syscall_set": {"container": host, "syscalls": ["unshare"]}} with data.vigil.profiles as _profile("enforcing")
	count(r) == 0
}

test_baseline_calls_silent if {
	# poll only when a read would block: a learning window may not have seen it.
	r := profile_drift_syscall.deny with input as _fact(["poll", "nanosleep", "sync"]) with data.vigil.profiles as _profile("enforcing")
	r == {"container \"web-1\" (workload compose:shop/web) made system call sync, not in its learned profile (version 4)"}
}
