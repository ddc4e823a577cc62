# METADATA
# title: Container restart policy is unbounded
# description: >-
#   A container that restarts forever (always, unless-stopped, or on-failure without a
#   small retry limit) can turn a crash loop into a denial of service. Kubernetes pods
#   are not checked: the kubelet backs off restarts itself.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-017
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Use --restart on-failure:5 (data.vigil.config.max_restart_retries) or no restart
#     policy.
#   frameworks:
#     cis-docker: ["5.15"]
package vigil.container.restart_policy

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	c.restart_policy.name in {"always", "unless-stopped"}
	msg := sprintf(
		"container %s restarts without limit (restart policy %s)",
		[text.quote(container.display_name(c)), text.quote(c.restart_policy.name)],
	)
}

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	c.restart_policy.name == "on-failure"
	not _bounded(c.restart_policy.maximum_retry_count)
	msg := sprintf(
		"container %s restarts on failure %s (at most %d allowed)",
		[text.quote(container.display_name(c)), _retries(c.restart_policy.maximum_retry_count), config.value("max_restart_retries")],
	)
}

_bounded(retries) if {
	retries > 0
	retries <= config.value("max_restart_retries")
}

_retries(0) := "without limit"

_retries(n) := sprintf("up to %d times", [n]) if n != 0
