# METADATA
# title: Container does not drop all capabilities
# description: >-
#   The restricted Pod Security Standard requires dropping ALL capabilities and adding
#   back at most NET_BIND_SERVICE.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-039
#   kind: container
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Run with --cap-drop ALL (capabilities.drop [ALL]) and add back only
#     NET_BIND_SERVICE if the service binds a low port.
#   frameworks:
#     pss: ["restricted/capabilities"]
package vigil.container.capabilities_not_dropped

import data.vigil.lib.capabilities
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	not capabilities.drops_all(c.cap_drop)
	msg := sprintf(
		"container %s does not drop ALL capabilities",
		[text.quote(container.display_name(c))],
	)
}

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	extra := capabilities.normalize_all(c.cap_add) - {"NET_BIND_SERVICE"}
	count(extra) > 0
	msg := sprintf(
		"container %s adds capabilities other than NET_BIND_SERVICE: %s",
		[text.quote(container.display_name(c)), capabilities.names(extra)],
	)
}

# Kubernetes: exactly as Pod Security compares them, as written: "ALL" dropped,
# nothing but "NET_BIND_SERVICE" added. Windows pods are exempt.
deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	not container.windows_pod(c)
	not "ALL" in object.get(c.kubernetes, "cap_drop_as_written", [])
	msg := sprintf(
		"container %s does not drop ALL capabilities",
		[text.quote(container.display_name(c))],
	)
}

deny contains msg if {
	c := input.container
	container.is_kubernetes(c)
	not container.windows_pod(c)
	extra := {cap | some cap in object.get(c.kubernetes, "cap_add_as_written", []); cap != "NET_BIND_SERVICE"}
	count(extra) > 0
	msg := sprintf(
		"container %s adds capabilities other than NET_BIND_SERVICE: %s",
		[text.quote(container.display_name(c)), concat(", ", sort([text.quote(cap) | some cap in extra]))],
	)
}
