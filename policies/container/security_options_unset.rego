# METADATA
# title: Container runs with no security options
# description: >-
#   The container was started without any security option (no SELinux label, no
#   seccomp or AppArmor profile of its own, no no-new-privileges): on a host with
#   SELinux it runs without a label chosen for it. CIS Docker 5.3 asks for SELinux
#   options where SELinux applies; docker-bench-security warns when a container's
#   SecurityOpt is empty, and so does this rule. Kubernetes pods are judged by the Pod
#   Security rules instead.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-043
#   kind: container
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Start the container with --security-opt options: label=type:… on SELinux hosts,
#     no-new-privileges, and a seccomp or AppArmor profile of its own
#     (vigil profile export --format seccomp makes one from its learned profile).
#   frameworks:
#     cis-docker: ["5.3"]
package vigil.container.security_options_unset

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	c := input.container
	not container.is_kubernetes(c)
	count(c.selinux_options) == 0
	not c.no_new_privileges
	not _seccomp_option(c)
	not _apparmor_option(c)
	msg := sprintf("container %s runs with no security options (no SELinux label, seccomp or AppArmor profile of its own, no no-new-privileges)", [text.quote(container.display_name(c))])
}

# Privileged containers run unconfined without asking for it.
_seccomp_option(c) if {
	c.seccomp_profile != "default"
	not _privileged_default(c, c.seccomp_profile)
}

_apparmor_option(c) if {
	not c.apparmor_profile in {"", "docker-default"}
	not _privileged_default(c, c.apparmor_profile)
}

_privileged_default(c, profile) if {
	c.privileged
	profile == "unconfined"
}
