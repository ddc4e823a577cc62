# METADATA
# title: Docker API exposed over TCP without TLS authentication
# description: >-
#   The daemon accepts API connections on a TCP socket without requiring client
#   certificates. Anyone who can reach the port controls the daemon and therefore the
#   host.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-006
#   kind: host
#   severity: CRITICAL
#   maturity: stable
#   recommended_action: >-
#     Configure tlsverify with tlscacert, tlscert and tlskey, or listen only on the unix
#     socket (reach remote hosts over SSH).
#   frameworks:
#     cis-docker: ["2.7"]
#     mitre: ["T1610"]
package vigil.host.tcp_without_tls

import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	some listener in d.hosts
	startswith(lower(listener), "tcp://")
	not _client_auth(d)
	msg := sprintf("host %s: Docker daemon listens on %s without TLS client authentication", [text.quote(host.display_name(h)), listener])
}

_client_auth(d) if {
	d.tls_verify
	d.tls_cacert != ""
	d.tls_cert != ""
	d.tls_key != ""
}
