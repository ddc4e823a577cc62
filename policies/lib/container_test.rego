package vigil.lib.container_test

import data.vigil.lib.container

test_display_name if {
	container.display_name({"name": "/web", "id": "abc"}) == "web"
	container.display_name({"name": "", "id": "0123456789abcdef"}) == "0123456789ab"
	container.display_name({"name": "", "id": ""}) == "<unnamed>"
}

test_namespace_mode if {
	container.namespace_mode({"namespaces": {"pid": "host"}}, "pid") == "host"
	container.namespace_mode({"namespaces": {"pid": "host"}}, "ipc") == ""
	container.namespace_mode({"namespaces": null}, "pid") == ""
}

test_shares_host if {
	container.shares_host({"namespaces": {"network": "HOST"}}, "network")
	not container.shares_host({"namespaces": {"network": "bridge"}}, "network")
	not container.shares_host({"namespaces": null}, "network")
}

test_uid_prefers_resolved if {
	container.uid({"run_as_uid": 1000, "user": "root"}) == 1000
	container.uid({"run_as_uid": 0, "user": ""}) == 0
}

test_uid_from_user if {
	container.uid({"user": "1000:1000"}) == 1000
	container.uid({"user": "0"}) == 0
	container.uid({"user": "root:root"}) == 0
}

test_uid_unknown if {
	not container.uid({"user": ""})
	not container.uid({"user": "nginx"})
}

test_kubernetes_context if {
	container.is_kubernetes({"kubernetes": {"namespace": "default"}})
	not container.is_kubernetes({"kubernetes": null})
	container.k8s({"kubernetes": null}) == {}
	container.k8s({"kubernetes": {"namespace": "a"}}) == {"namespace": "a"}
}

test_resource if {
	container.resource({"resources": {"memory_bytes": 5}}, "memory_bytes", 0) == 5
	container.resource({"resources": {}}, "memory_bytes", 0) == 0
	container.resource({"resources": null}, "memory_bytes", 0) == 0
}

test_host_mounts if {
	c := {"mounts": [
		{"type": "bind", "source": "/etc", "destination": "/host-etc"},
		{"type": "hostPath", "source": "/var/log", "destination": "/logs"},
		{"type": "", "source": "/srv", "destination": "/srv"},
		{"type": "volume", "source": "/var/lib/docker/volumes/x/_data", "destination": "/data"},
		{"type": "tmpfs", "source": "", "destination": "/tmp"},
	]}
	[m.source | some m in container.host_mounts(c)] == ["/etc", "/var/log", "/srv"]
}

test_access if {
	container.access({"read_write": true}) == "read-write"
	container.access({"read_write": false}) == "read-only"
}
