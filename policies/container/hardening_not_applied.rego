# METADATA
# title: Generated hardening available but not applied
# description: >-
#   The container runs a workload whose learned profile is enforcing
#   (data.vigil.profiles[container.workload]), so Vigil can generate a seccomp
#   profile (and an AppArmor profile) from it, but the container still runs under
#   Docker's default seccomp profile or none, or under docker-default AppArmor on a
#   host that has AppArmor. A generated profile allows only what the workload was
#   seen doing; `vigil profile verify` proves it before it is applied.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-040
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Generate and prove the hardening, then apply it: vigil profile verify WORKLOAD --image
#     IMAGE --exercise CMD; vigil profile export WORKLOAD --format compose (or k8s, or seccomp
#     and apparmor for docker run --security-opt). See docs/hardening.md.
#   frameworks:
#     nist-800-190: ["4.4.3"]
package vigil.container.hardening_not_applied

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	c.workload != ""
	profile := data.vigil.profiles[c.workload]
	profile.learned == true
	profile.state == "enforcing"
	missing := [kind | some kind in ["seccomp", "AppArmor"]; _missing(c, kind)]
	count(missing) > 0
	msg := sprintf(
		"container %s runs workload %s, whose learned profile (version %v) can generate its %s hardening, without it: vigil profile export %s --format %s",
		[text.quote(container.display_name(c)), c.workload, profile.version, concat(" and ", missing), c.workload, _format(c)],
	)
}

_generic_seccomp := {"", "default", "unconfined", "runtime/default", "docker/default"}

_missing(c, "seccomp") if _generic_seccomp[c.seccomp_profile]

# An empty AppArmor profile means the host has no AppArmor: nothing to apply there.
_missing(c, "AppArmor") if c.apparmor_profile in {"docker-default", "unconfined", "runtime/default"}

_formats := {"compose:": "compose", "k8s:": "k8s"}

_format(c) := f if {
	some prefix, f in _formats
	startswith(c.workload, prefix)
}

_format(c) := "seccomp" if {
	not _has_patch_format(c)
}

_has_patch_format(c) if {
	some prefix, _ in _formats
	startswith(c.workload, prefix)
}
