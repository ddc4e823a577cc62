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

default _configured := {}

_configured := data.vigil.config

_addresses := {"169.254.169.254", "fd00:ec2::254", "100.100.100.200"}

deny contains msg if {
	fact := input.network_connection
	_in_container(fact.container)
	fact.direction == "outbound"
	trim_prefix(fact.remote_address, "::ffff:") in _addresses
	not _image_allowed(fact.container.image)
	p := fact.process
	msg := sprintf("%s (pid %d) in container %q contacted the cloud metadata service at %s:%d", [_exe(p), p.pid, _name(fact.container), fact.remote_address, fact.remote_port])
}

_image_allowed(image) if {
	some pattern in object.get(_configured, "runtime_metadata_allowed_images", [])
	glob.match(pattern, ["/"], image)
}

_in_container(c) if {
	not c.host
	c.id != ""
}

_name(c) := c.name if {
	c.name != ""
} else := c.id

_exe(p) := p.exe if {
	p.exe != ""
} else := p.comm
