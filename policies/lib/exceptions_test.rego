package vigil.lib.exceptions_test

import data.vigil.lib.exceptions

_web := {
	"kind": "container",
	"source": {"host": "node-1"},
	"container": {
		"name": "/web",
		"image": "registry.example.com/team/web:1.4",
		"labels": {"app": "web", "tier": "front"},
		"kubernetes": null,
	},
}

_pod := {
	"kind": "container",
	"container": {
		"name": "api",
		"image": "api:2",
		"labels": {},
		"kubernetes": {"namespace": "payments"},
	},
}

_exec := {
	"kind": "process_exec",
	"process_exec": {"container": {"name": "web", "image": "nginx:1.27", "namespace": "shop"}},
}

_image := {
	"kind": "image",
	"image": {"repo_tags": ["nginx:1.27", "nginx:latest"], "reference": "nginx:1.27"},
}

_host := {"kind": "host", "host": {"hostname": "node-7"}}

_entry(overrides) := object.union(
	{"rules": ["VGL-CTR-001"], "justification": "vendor appliance needs it"},
	overrides,
)

test_rule_and_scope_match_allowed if {
	exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {
		"image": "registry.example.com/team/*",
		"container_name": "web",
		"labels": {"app": "web"},
	}})]
}

test_other_rule_denied if {
	not exceptions.excepted("VGL-CTR-002", _web, "2026-05-01") with data.vigil.exceptions as [_entry({})]
}

test_wildcard_rules if {
	exceptions.excepted("VGL-CTR-002", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"rules": ["*"]})]
	exceptions.excepted("VGL-CTR-002", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"rules": ["VGL-CTR-*"]})]
	not exceptions.excepted("VGL-IMG-002", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"rules": ["VGL-CTR-*"]})]
}

test_missing_justification_denied if {
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [{"rules": ["*"]}]
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"justification": "  "})]
}

test_expiry if {
	exceptions.excepted("VGL-CTR-001", _web, "2027-01-31") with data.vigil.exceptions as [_entry({"expires": "2027-01-31"})]
	exceptions.excepted("VGL-CTR-001", _web, "2027-01-30") with data.vigil.exceptions as [_entry({"expires": "2027-01-31T12:00:00Z"})]
	not exceptions.excepted("VGL-CTR-001", _web, "2027-02-01") with data.vigil.exceptions as [_entry({"expires": "2027-01-31"})]
	not exceptions.excepted("VGL-CTR-001", _web, "2027-02-01") with data.vigil.exceptions as [_entry({"expires": "2027"})]
}

test_scope_mismatch_denied if {
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"image": "nginx:*"}})]
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"container_name": "db"}})]
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"labels": {"app": "db"}}})]
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"namespace": "default"}})]
}

test_unknown_scope_key_denied if {
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"imagee": "*"}})]
}

test_all_scope_keys_must_match if {
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {
		"container_name": "web",
		"labels": {"app": "other"},
	}})]
}

test_kubernetes_namespace_allowed if {
	exceptions.excepted("VGL-CTR-001", _pod, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"namespace": "payments"}})]
}

test_runtime_fact_uses_container_ref if {
	exceptions.excepted("VGL-RUN-001", _exec, "2026-05-01") with data.vigil.exceptions as [_entry({
		"rules": ["VGL-RUN-001"],
		"scope": {"image": "nginx:*", "container_name": "web", "namespace": "shop"},
	})]
	not exceptions.excepted("VGL-RUN-001", _exec, "2026-05-01") with data.vigil.exceptions as [_entry({
		"rules": ["VGL-RUN-001"],
		"scope": {"labels": {"app": "web"}},
	})]
}

test_runtime_fact_without_container_ref if {
	fact := {"kind": "file_access", "file_access": {"container": null}}
	not exceptions.excepted("VGL-RUN-002", fact, "2026-05-01") with data.vigil.exceptions as [_entry({
		"rules": ["*"],
		"scope": {"container_name": "*"},
	})]
	exceptions.excepted("VGL-RUN-002", fact, "2026-05-01") with data.vigil.exceptions as [_entry({"rules": ["*"]})]
}

test_image_fact_matches_any_tag if {
	exceptions.excepted("VGL-IMG-001", _image, "2026-05-01") with data.vigil.exceptions as [_entry({
		"rules": ["VGL-IMG-001"],
		"scope": {"image": "nginx:latest"},
	})]
}

test_host_scope if {
	exceptions.excepted("VGL-HST-001", _host, "2026-05-01") with data.vigil.exceptions as [_entry({
		"rules": ["VGL-HST-001"],
		"scope": {"host": "node-*"},
	})]
	exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as [_entry({"scope": {"host": "node-1"}})]
	not exceptions.excepted("VGL-HST-001", {"kind": "host", "host": {"hostname": ""}}, "2026-05-01") with data.vigil.exceptions as [_entry({
		"rules": ["VGL-HST-001"],
		"scope": {"host": "*"},
	})]
}

test_no_exceptions_configured if {
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as []
}

test_malformed_exceptions_ignored if {
	not exceptions.excepted("VGL-CTR-001", _web, "2026-05-01") with data.vigil.exceptions as {"rules": ["*"]}
}

# Exceptions a manifest declares for its own container (container.declared_exceptions).

_declaring(entries) := {
	"kind": "container",
	"container": {"name": "default/DaemonSet/agent:agent", "image": "agent:1", "labels": {}, "declared_exceptions": entries},
}

_declared_entry(overrides) := object.union(
	{"rules": ["VGL-CTR-005", "VGL-CTR-002"], "justification": "the agent reads host processes", "expires": ""},
	overrides,
)

test_declared_exception_allowed if {
	exceptions.excepted("VGL-CTR-005", _declaring([_declared_entry({})]), "2026-05-01") with data.vigil.exceptions as []
	exceptions.excepted("VGL-CTR-002", _declaring([_declared_entry({})]), "2026-05-01") with data.vigil.exceptions as []
}

test_declared_exception_other_rule_denied if {
	not exceptions.excepted("VGL-CTR-001", _declaring([_declared_entry({})]), "2026-05-01") with data.vigil.exceptions as []
}

test_declared_exception_without_justification_denied if {
	not exceptions.excepted("VGL-CTR-005", _declaring([_declared_entry({"justification": ""})]), "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-CTR-005", _declaring([_declared_entry({"justification": "  "})]), "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-CTR-005", _declaring([{"rules": ["VGL-CTR-005"]}]), "2026-05-01") with data.vigil.exceptions as []
}

test_declared_exception_glob_denied if {
	# Declared exceptions name rules exactly: a manifest cannot waive a whole domain.
	not exceptions.excepted("VGL-CTR-005", _declaring([_declared_entry({"rules": ["VGL-CTR-*"]})]), "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-CTR-005", _declaring([_declared_entry({"rules": ["*"]})]), "2026-05-01") with data.vigil.exceptions as []
}

test_declared_exception_expiry if {
	entry := _declared_entry({"expires": "2026-05-01"})
	exceptions.excepted("VGL-CTR-005", _declaring([entry]), "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-CTR-005", _declaring([entry]), "2026-05-02") with data.vigil.exceptions as []
}

test_declared_exception_only_for_container_facts if {
	# A runtime event names its container but carries no declarations of its own.
	not exceptions.excepted("VGL-RUN-001", _exec, "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-CTR-005", _declaring([]), "2026-05-01") with data.vigil.exceptions as []
}

test_image_declared_exception_allowed if {
	image := {"kind": "image", "image": {"reference": "vigil/collector:dev", "repo_tags": ["vigil/collector:dev"], "declared_exceptions": [_declared_entry({"rules": ["VGL-IMG-001"]})]}}
	exceptions.excepted("VGL-IMG-001", image, "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-IMG-002", image, "2026-05-01") with data.vigil.exceptions as []
}

test_dockerfile_declared_exception_allowed if {
	dockerfile := {"kind": "dockerfile", "dockerfile": {"path": "deploy/images/Dockerfile", "stages": [], "declared_exceptions": [_declared_entry({"rules": ["VGL-DKF-001"]})]}}
	exceptions.excepted("VGL-DKF-001", dockerfile, "2026-05-01") with data.vigil.exceptions as []
	not exceptions.excepted("VGL-DKF-002", dockerfile, "2026-05-01") with data.vigil.exceptions as []
}
