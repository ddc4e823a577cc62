package vigil.container.untrusted_not_sandboxed_test

import data.vigil.container.untrusted_not_sandboxed

_fact(overrides) := {"kind": "container", "container": object.union(
	{"name": "sandbox", "labels": {}, "runtime": "runc", "sandboxed": false, "kubernetes": null},
	overrides,
)}

test_untrusted_label_on_runc_denied if {
	r := untrusted_not_sandboxed.deny with input as _fact({"labels": {"vigil.dev/untrusted": "true"}})
	r == {"container \"sandbox\" is untrusted (label vigil.dev/untrusted=true) but runs on runtime \"runc\", which is not sandboxed"}
}

test_untrusted_namespace_denied if {
	r := untrusted_not_sandboxed.deny with input as _fact({"runtime": "", "kubernetes": {"namespace": "tenants"}})
		with data.vigil.config.untrusted_namespaces as ["tenants"]
	r == {"container \"sandbox\" is untrusted (namespace tenants) but runs on runtime \"default\", which is not sandboxed"}
}

test_both_reasons_in_one_finding_denied if {
	r := untrusted_not_sandboxed.deny with input as _fact({
		"labels": {"vigil.dev/untrusted": "true"},
		"kubernetes": {"namespace": "tenants"},
	})
		with data.vigil.config.untrusted_namespaces as ["tenants"]
	r == {"container \"sandbox\" is untrusted (label vigil.dev/untrusted=true, namespace tenants) but runs on runtime \"runc\", which is not sandboxed"}
}

test_runsc_allowed if {
	r := untrusted_not_sandboxed.deny with input as _fact({"labels": {"vigil.dev/untrusted": "true"}, "runtime": "runsc"})
	count(r) == 0
}

test_sandboxed_flag_allowed if {
	r := untrusted_not_sandboxed.deny with input as _fact({"labels": {"vigil.dev/untrusted": "true"}, "runtime": "my-gvisor", "sandboxed": true})
	count(r) == 0
}

test_trusted_allowed if {
	r := untrusted_not_sandboxed.deny with input as _fact({"labels": {"vigil.dev/untrusted": "false"}})
	count(r) == 0
}
