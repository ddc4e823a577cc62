# METADATA
# title: Cloud instance metadata service contacted from a container
# description: >-
#   A process in a container connected to a cloud instance metadata service
#   (169.254.169.254 for AWS/GCP/Azure/OpenStack, fd00:ec2::254 for AWS IPv6,
#   100.100.100.200 for Alibaba Cloud). From a container this usually means stealing
#   the node's cloud credentials. Images matching
#   data.vigil.config.runtime_metadata_allowed_images (globs) are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-026
#   kind: network_connection
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Block the metadata endpoint for pods (IMDSv2 with hop limit 1, network policy) and give workloads their own identity; allow the image if it legitimately needs node credentials."
#   frameworks:
#     mitre: ["T1552.005"]
package vigil.runtime.cloud_metadata

import data.vigil.lib.event
import data.vigil.lib.text

_addresses := {"169.254.169.254", "fd00:ec2::254", "100.100.100.200"}

deny contains msg if {
	fact := input.network_connection
	event.in_container(fact.container)
	fact.direction == "outbound"
	trim_prefix(fact.remote_address, "::ffff:") in _addresses
	not event.image_listed(fact.container.image, "runtime_metadata_allowed_images")
	p := fact.process
	msg := sprintf("%s (pid %d) in container %s contacted the cloud metadata service at %s:%d", [event.exe(p), p.pid, text.quote(event.name(fact.container)), fact.remote_address, fact.remote_port])
}
