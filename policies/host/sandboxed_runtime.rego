# METADATA
# title: No sandboxed runtime registered
# description: >-
#   When data.vigil.config.require_sandboxed_runtime is true, every host must offer
#   a runtime that isolates containers with its own kernel (gVisor runsc, Kata),
#   so untrusted workloads can be scheduled onto it.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-018
#   kind: host
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: >-
#     Install gVisor or Kata Containers and register it in daemon.json "runtimes"
#     (or as a containerd runtime handler with a Kubernetes RuntimeClass).
#   frameworks:
#     mitre: ["T1611"]
package vigil.host.sandboxed_runtime

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	config.value("require_sandboxed_runtime") == true
	h := input.host
	not _has_sandbox(h)
	msg := sprintf(
		"host %s: no sandboxed container runtime is registered (runtimes: %s)",
		[text.quote(host.display_name(h)), _names(h)],
	)
}

_has_sandbox(h) if {
	some r in h.runtimes
	r.sandboxed
}

_has_sandbox(h) if {
	some r in h.runtimes
	r.name in config.value("sandboxed_runtimes")
}

_names(h) := "none" if count(h.runtimes) == 0

_names(h) := concat(", ", sort([r.name | some r in h.runtimes])) if count(h.runtimes) > 0
