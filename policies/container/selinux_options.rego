# METADATA
# title: Container sets unsafe SELinux options
# description: >-
#   The baseline Pod Security Standard allows only the container SELinux types
#   (container_t, container_init_t, container_kvm_t, container_engine_t) and forbids
#   custom SELinux users and roles; label=disable turns SELinux separation off entirely.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-032
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Remove the SELinux type, user and role overrides and label=disable; set only the
#     MCS level if needed.
#   frameworks:
#     pss: ["baseline/selinux"]
package vigil.container.selinux_options

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	some option in _options(c)
	_option(option) == "disable"
	msg := sprintf(
		"container %s disables SELinux labelling",
		[text.quote(container.display_name(c))],
	)
}

deny contains msg if {
	c := input.container
	some option in _options(c)
	[key, value] := _pair(_option(option))
	key == "type"
	not value in _allowed_types(c)
	msg := sprintf(
		"container %s sets SELinux type %s",
		[text.quote(container.display_name(c)), text.quote(value)],
	)
}

deny contains msg if {
	c := input.container
	some option in _options(c)
	[key, value] := _pair(_option(option))
	key in {"user", "role"}
	value != ""
	msg := sprintf(
		"container %s sets SELinux %s %s",
		[text.quote(container.display_name(c)), key, text.quote(value)],
	)
}

# Docker: the configured types. Kubernetes: Pod Security's list for the version
# judged (container_engine_t since 1.31).
_allowed_types(c) := config.value("allowed_selinux_types") if not container.is_kubernetes(c)

_allowed_types(c) := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"} if {
	container.is_kubernetes(c)
	container.pss_since(31)
}

_allowed_types(c) := {"", "container_t", "container_init_t", "container_kvm_t"} if {
	container.is_kubernetes(c)
	not container.pss_since(31)
}

# The container's effective options and, for Kubernetes, the pod's own: Pod
# Security judges every place that sets them.
_options(c) := array.concat(c.selinux_options, object.get(c, ["kubernetes", "pod_selinux_options"], []))

# Docker spells options "label=type:spc_t" (older: "label:type:spc_t");
# Kubernetes facts carry "type:spc_t".
_option(option) := trim_prefix(trim_prefix(option, "label="), "label:")

_pair(option) := [lower(parts[0]), concat(":", array.slice(parts, 1, count(parts)))] if {
	parts := split(option, ":")
	count(parts) > 1
}
