# METADATA
# title: Outbound connection from a container whose image carries a cloud credential
# description: >-
#   A process in a container connects out, and the container's image carries a
#   cloud credential (an AWS access key, a GCP service account key or API key)
#   in a file, its environment or its history. Whoever runs in that container
#   holds the key and a way out: the pair an attacker needs to use it. Loopback
#   connections are not judged. Reads the image fact as context.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-057
#   kind: network_connection
#   severity: HIGH
#   maturity: stable
#   context: ["image"]
#   recommended_action: Revoke and rotate the credential, rebuild the image without it (pass secrets at run time), and check the provider's audit log for its use.
#   frameworks:
#     mitre: ["T1552.001", "T1078.004"]
package vigil.runtime.credential_image_outbound

import data.vigil.lib.event
import data.vigil.lib.text

_cloud_rules := {"aws-access-key-id", "aws-secret-access-key", "gcp-service-account", "gcp-api-key"}

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	not _loopback(trim_prefix(fact.remote_address, "::ffff:"))
	kinds := {s.rule | some s in input.context.image.secrets; s.rule in _cloud_rules}
	count(kinds) > 0
	msg := sprintf("%s (pid %d) in container %s connects to %s:%d, and its image carries %s", [
		event.exe(fact.process), fact.process.pid, text.quote(event.name(fact.container)),
		fact.remote_address, fact.remote_port, concat(", ", sort(kinds)),
	])
}

_loopback(addr) if startswith(addr, "127.")

_loopback("::1")
