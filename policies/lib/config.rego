# METADATA
# title: Policy configuration with defaults
# description: >-
#   Tuning values for the default rules. Each key of data.vigil.config overrides
#   the built-in default of the same name, so a partial configuration keeps the
#   defaults of every key it does not mention.
# scope: package
# custom:
#   library: true
package vigil.lib.config

# value returns the configured value of key, or its built-in default.
value(key) := object.get(_configured, key, defaults[key])

default _configured := {}

_configured := data.vigil.config if is_object(data.vigil.config)

# defaults mirrors the "config" key of policies/data.json (a test keeps them equal).
defaults := {
	"default_capabilities": [
		"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
		"NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
	],
	"allowed_capabilities": [],
	# System calls a learned profile never reports as new and its seccomp profile always
	# allows: harmless calls whose use varies with timing and libc (poll only when a read
	# would block), so a learning window may miss them.
	"profile_syscall_baseline": ["alarm", "brk", "clock_getres", "clock_gettime", "clock_nanosleep", "close", "close_range", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait", "epoll_pwait2", "epoll_wait", "exit", "exit_group", "fcntl", "fstat", "futex", "get_robust_list", "getcwd", "getegid", "geteuid", "getgid", "getgroups", "getitimer", "getpgid", "getpgrp", "getpid", "getppid", "getrandom", "getresgid", "getresuid", "getrusage", "getsid", "gettid", "gettimeofday", "getuid", "lseek", "madvise", "mmap", "mprotect", "mremap", "munmap", "nanosleep", "newfstatat", "pause", "pipe", "pipe2", "poll", "ppoll", "pread64", "preadv", "pselect6", "pwrite64", "pwritev", "read", "readv", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "sched_getaffinity", "sched_yield", "select", "set_robust_list", "set_tid_address", "setitimer", "sigaltstack", "statx", "sysinfo", "time", "times", "uname", "wait4", "waitid", "write", "writev"],
	"sensitive_host_paths": ["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"],
	"read_only_host_paths_allowed": ["/etc/localtime", "/etc/timezone"],
	"runtime_sockets": [
		"/var/run/docker.sock", "/run/docker.sock",
		"/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
		"/var/run/crio/crio.sock", "/run/crio/crio.sock",
		"/var/run/podman/podman.sock", "/run/podman/podman.sock",
		"/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
		"/run/k3s/containerd/containerd.sock",
	],
	"runtime_socket_names": ["docker.sock", "containerd.sock", "crio.sock", "podman.sock", "cri-dockerd.sock"],
	"untrusted_labels": {"vigil.dev/untrusted": "true"},
	"untrusted_namespaces": [],
	"sandboxed_runtimes": [
		"runsc", "kata", "kata-runtime", "kata-qemu", "kata-fc",
		"io.containerd.runsc.v1", "io.containerd.kata.v2",
	],
	"require_sandboxed_runtime": false,
	"privileged_port_max": 1024,
	"max_restart_retries": 5,
	"allowed_devices": [],
	"allowed_host_ports": [],
	# The Kubernetes minor version whose Pod Security Standards judge manifests
	# (1.25 to 1.37; `vigil scan --pss-version`).
	"pss_version": 37,
	"allowed_sysctls": [
		"kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.ip_local_reserved_ports",
		"net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.ping_group_range",
		"net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
		"net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_notsent_lowat",
		"net.ipv4.tcp_rmem",
		"net.ipv4.tcp_slow_start_after_idle",
		"net.ipv4.tcp_syncookies",
		"net.ipv4.tcp_wmem",
	],
	"allowed_selinux_types": ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"],
	"allowed_volume_types": [
		"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
		"persistentVolumeClaim", "projected", "secret",
	],
	"allowed_insecure_registries": ["127.0.0.0/8", "::1/128"],
	"allowed_cgroup_parents": ["", "/docker", "system.slice"],
	"local_log_drivers": ["", "json-file", "local", "none"],
	"docker_files": [
		{"pattern": "**/systemd/system/docker.service", "max_mode": 420, "ownership": "3.1", "permissions": "3.2"},
		{"pattern": "**/systemd/system/docker.socket", "max_mode": 420, "ownership": "3.3", "permissions": "3.4"},
		{"pattern": "/etc/docker", "max_mode": 493, "ownership": "3.5", "permissions": "3.6"},
		{"pattern": "/etc/docker/certs.d/*/*", "max_mode": 292, "ownership": "3.7", "permissions": "3.8"},
		{"pattern": "**/daemon.json", "max_mode": 420, "ownership": "3.17", "permissions": "3.18"},
		{"pattern": "/etc/default/docker", "max_mode": 420, "ownership": "3.19", "permissions": "3.20"},
		{"pattern": "/etc/sysconfig/docker", "max_mode": 420, "ownership": "3.22", "permissions": "3.21"},
		{"pattern": "/run/containerd/containerd.sock", "max_mode": 432, "ownership": "3.23", "permissions": "3.24"},
	],
	"docker_sockets": ["/var/run/docker.sock", "/run/docker.sock"],
	"audit_paths": [
		{"path": "/usr/bin/dockerd", "cis": "1.1.3"},
		{"path": "/run/containerd", "cis": "1.1.4"},
		{"path": "/var/lib/docker", "cis": "1.1.5"},
		{"path": "/etc/docker", "cis": "1.1.6"},
		{"path": "docker.service", "cis": "1.1.7"},
		{"path": "/run/containerd/containerd.sock", "cis": "1.1.8"},
		{"path": "docker.socket", "cis": "1.1.9"},
		{"path": "/etc/default/docker", "cis": "1.1.10"},
		{"path": "/etc/docker/daemon.json", "cis": "1.1.11"},
		{"path": "/etc/containerd/config.toml", "cis": "1.1.12"},
		{"path": "/etc/sysconfig/docker", "cis": "1.1.13"},
		{"path": "/usr/bin/containerd", "cis": "1.1.14"},
		{"path": "/usr/bin/containerd-shim", "cis": "1.1.15"},
		{"path": "/usr/bin/containerd-shim-runc-v1", "cis": "1.1.16"},
		{"path": "/usr/bin/containerd-shim-runc-v2", "cis": "1.1.17"},
		{"path": "/usr/bin/runc", "cis": "1.1.18"},
	],
}
