package vigil.container.apparmor_unconfined_test

import data.vigil.container.apparmor_unconfined

test_unconfined_denied if {
	r := apparmor_unconfined.deny with input as {"kind": "container", "container": {"name": "web", "apparmor_profile": "unconfined", "kubernetes": null}}
	r == {"container \"web\" runs without an AppArmor profile (unconfined)"}
}

test_kubernetes_annotation_denied if {
	r := apparmor_unconfined.deny with input as {"kind": "container", "container": {
		"name": "web",
		"apparmor_profile": "",
		"kubernetes": {"annotations": {"container.apparmor.security.beta.kubernetes.io/web": "unconfined"}},
	}}
	r == {"container \"web\" belongs to a pod whose annotation container.apparmor.security.beta.kubernetes.io/web sets AppArmor profile \"unconfined\""}
}

test_other_containers_annotation_denied_too if {
	# Pod Security refuses the whole pod: every container's finding says so.
	r := apparmor_unconfined.deny with input as {"kind": "container", "container": {
		"name": "web",
		"apparmor_profile": "runtime/default",
		"kubernetes": {"annotations": {"container.apparmor.security.beta.kubernetes.io/sidecar": "something"}},
	}}
	count(r) == 1
}

test_pod_field_unconfined_denied if {
	r := apparmor_unconfined.deny with input as {"kind": "container", "container": {
		"name": "web",
		"apparmor_profile": "localhost/x",
		"kubernetes": {"pod_apparmor_profile": "unconfined"},
	}}
	r == {"container \"web\" runs without an AppArmor profile (unconfined)"}
}

test_no_apparmor_on_host_allowed if {
	r := apparmor_unconfined.deny with input as {"kind": "container", "container": {"name": "web", "apparmor_profile": "", "kubernetes": null}}
	count(r) == 0
}

test_profile_allowed if {
	r := apparmor_unconfined.deny with input as {"kind": "container", "container": {
		"name": "web",
		"apparmor_profile": "docker-default",
		"kubernetes": {"annotations": {"container.apparmor.security.beta.kubernetes.io/other": "localhost/other", "container.apparmor.security.beta.kubernetes.io/web": "runtime/default"}},
	}}
	count(r) == 0
}
