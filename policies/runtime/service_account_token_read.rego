# METADATA
# title: Service account token read by a shell or file tool
# description: >-
#   The Kubernetes (or EKS pod identity) service account token under
#   /var/run/secrets/<provider>/serviceaccount/ was read by a shell or a generic
#   file tool (cat, head, base64, cp, tar, curl, ...). Applications read their token
#   through a client library; a person or script dumping it is stealing cluster
#   credentials.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-017
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Treat the pod's service account as exposed: rotate the token, reduce its RBAC, and set automountServiceAccountToken false where the API is not needed."
#   kernel_filter:
#     read_paths: ["/var/run/secrets/", "/run/secrets/"]
#   frameworks:
#     mitre: ["T1528", "T1552.001"]
package vigil.runtime.service_account_token_read

import data.vigil.lib.event
import data.vigil.lib.text

_tools := {
	"sh", "bash", "dash", "ash", "zsh", "ksh", "cat", "head", "tail", "less", "more", "grep",
	"egrep", "awk", "gawk", "sed", "base64", "xxd", "od", "hexdump", "strings", "cp", "mv", "tar",
	"dd", "curl", "wget", "vi", "vim", "nano", "tee", "jq",
}

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.read
	regex.match(`^(/var)?/run/secrets/[^/]+/serviceaccount/(\.\.[^/]+/)?token$`, fact.path)
	p := fact.process
	event.named(p, _tools)
	msg := sprintf("%s (pid %d) in container %s read service account token %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path])
}
