# METADATA
# title: Container shares the host's network namespace
# description: >-
#   With the host's network namespace the container can bind any host port, reach services listening on localhost, sniff traffic with NET_RAW and bypasses the Docker network's isolation and firewall rules.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-CTR-006
#   kind: container
#   severity: HIGH
#   maturity: stable
#   recommended_action: Remove --network=host (hostNetwork true); publish only the ports the service needs.
#   frameworks:
#     cis-docker: ["5.10"]
#     pss: ["baseline/host-namespaces"]
#     mitre: ["T1611"]
package vigil.container.host_network

import data.vigil.lib.container
import data.vigil.lib.text

deny contains msg if {
	container.shares_host(input.container, "network")
	msg := sprintf(
		"container %s shares the host's network namespace",
		[text.quote(container.display_name(input.container))],
	)
}
