package vigil.runtime.kernel_escape_write_test

import data.vigil.runtime.kernel_escape_write

_fact(path, write) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "write": write,
	"process": {"pid": 2100, "comm": "sh", "exe": "/bin/sh"},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_release_agent_denied if {
	r := kernel_escape_write.deny with input as _fact("/sys/fs/cgroup/rdma/release_agent", true)
	count(r) == 1
	r == {"/bin/sh (pid 2100) in container \"web\" wrote to /sys/fs/cgroup/rdma/release_agent, a container escape path"}
}

test_core_pattern_denied if {
	kernel_escape_write.deny == {"/bin/sh (pid 2100) in container \"web\" wrote to /proc/sys/kernel/core_pattern, a container escape path"} with input as _fact("/proc/sys/kernel/core_pattern", true)
	kernel_escape_write.deny == {"/bin/sh (pid 2100) in container \"web\" wrote to /proc/sysrq-trigger, a container escape path"} with input as _fact("/proc/sysrq-trigger", true)
}

test_read_allowed if {
	count(kernel_escape_write.deny) == 0 with input as _fact("/proc/sys/kernel/core_pattern", false)
}

test_other_proc_write_allowed if {
	count(kernel_escape_write.deny) == 0 with input as _fact("/proc/self/oom_score_adj", true)
}
