package vigil.runtime.k8s_api_contact_test

import data.vigil.runtime.k8s_api_contact

_fact(address, port, namespace) := {"kind": "network_connection", "network_connection": {
	"direction": "outbound", "protocol": "tcp", "remote_address": address, "remote_port": port,
	"process": {"pid": 44, "comm": "curl", "exe": "/usr/bin/curl"},
	"container": {"id": "c0ffee", "name": "web", "image": "shop/web:1", "namespace": namespace},
}}

test_service_address_denied if {
	r := k8s_api_contact.deny with input as _fact("10.96.0.1", 443, "shop")
	count(r) == 1
	r == {"/usr/bin/curl (pid 44) in container \"web\" connected to the Kubernetes API server at 10.96.0.1:443"}
}

test_port_6443_denied if {
	r := k8s_api_contact.deny with input as _fact("192.0.2.10", 6443, "")
	count(r) == 1
	r == {"/usr/bin/curl (pid 44) in container \"web\" connected to the Kubernetes API server at 192.0.2.10:6443"}
}

test_configured_server_denied if {
	r := k8s_api_contact.deny with input as _fact("10.200.0.1", 443, "shop")
		with data.vigil.config.runtime_k8s_api_servers as ["10.200.0.1"]
	count(r) == 1
	r == {"/usr/bin/curl (pid 44) in container \"web\" connected to the Kubernetes API server at 10.200.0.1:443"}
}

test_other_https_allowed if {
	count(k8s_api_contact.deny) == 0 with input as _fact("203.0.113.8", 443, "shop")
}

test_kube_system_allowed if {
	count(k8s_api_contact.deny) == 0 with input as _fact("10.96.0.1", 443, "kube-system")
}

test_allowed_image_allowed if {
	r := k8s_api_contact.deny with input as _fact("10.96.0.1", 443, "shop")
		with data.vigil.config.runtime_k8s_api_allowed_images as ["shop/*"]
	count(r) == 0
}
