# METADATA
# title: Untrusted workload runs without a sandbox
# description: >-
#   The container is marked untrusted (a label in data.vigil.config.untrusted_labels,
#   or a Kubernetes namespace in untrusted_namespaces) but runs on a runtime that
#   shares the host kernel. Untrusted code should run under a sandboxed runtime
#   (gVisor, Kata) so a kernel exploit does not reach the host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-012
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: >-
#     Run it with a sandboxed runtime (docker run --runtime runsc, or a Kubernetes
#     RuntimeClass for gVisor or Kata); see data.vigil.config.sandboxed_runtimes.
#   frameworks:
#     mitre: ["T1611"]
package vigil.container.untrusted_not_sandboxed

import data.vigil.lib.config
import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	reasons := _reasons(c)
	count(reasons) > 0
	not _sandboxed(c)
	msg := sprintf(
		"container %s is untrusted (%s) but runs on runtime %s, which is not sandboxed",
		[text.quote(container.display_name(c)), concat(", ", sort(reasons)), text.quote(_runtime_name(c))],
	)
}

_reasons(c) := {sprintf("label %s=%s", [key, value]) |
	some key, value in config.value("untrusted_labels")
	c.labels[key] == value
} | {sprintf("namespace %s", [namespace]) |
	namespace := object.get(container.k8s(c), "namespace", "")
	namespace in config.value("untrusted_namespaces")
}

_sandboxed(c) if c.sandboxed

_sandboxed(c) if c.runtime in config.value("sandboxed_runtimes")

_runtime_name(c) := c.runtime if c.runtime != ""

_runtime_name(c) := "default" if c.runtime == ""
