# METADATA
# title: Cloud or registry credentials read in a container
# description: >-
#   A process in a container read a credential file of a cloud or registry CLI: AWS
#   (~/.aws/credentials), Google Cloud (~/.config/gcloud credential databases and
#   application_default_credentials.json), Azure (~/.azure token caches), Docker
#   registry auth (~/.docker/config.json) or a kubeconfig (~/.kube/config).
#   Executables listed (exe path or comm) in
#   data.vigil.config.runtime_cloud_credentials_allowed_exes are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-016
#   kind: file_access
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the reading process; rotate the credentials and use workload identity (IRSA, Workload Identity, managed identity) instead of credential files."
#   kernel_filter:
#     read_paths: ["/root/.aws/", "/root/.config/gcloud/", "/root/.azure/", "/root/.docker/", "/root/.kube/"]
#   frameworks:
#     mitre: ["T1552.001"]
package vigil.runtime.cloud_credentials_read

import data.vigil.lib.event
import data.vigil.lib.text

_patterns := [
	`/\.aws/credentials$`,
	`/\.config/gcloud/(credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials/.+)$`,
	`/\.azure/(accessTokens\.json|msal_token_cache\.(json|bin)|service_principal_entries\.json)$`,
	`/\.docker/config\.json$`,
	`/\.kube/config$`,
]

deny contains msg if {
	fact := input.file_access
	event.in_container(fact.container)
	fact.read
	some pattern in _patterns
	regex.match(pattern, fact.path)
	p := fact.process
	not event.process_listed(p, "runtime_cloud_credentials_allowed_exes")
	msg := sprintf("%s (pid %d) in container %s read credential file %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.path])
}
