# METADATA
# title: No centralized logging
# description: >-
#   With a local log driver (json-file, local, none) container logs stay on the host,
#   where an intruder can delete them and nobody correlates them across hosts.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-HST-012
#   kind: host
#   severity: LOW
#   maturity: stable
#   recommended_action: >-
#     Set "log-driver" to syslog, journald, fluentd, gelf or another remote driver, with
#     its "log-opts".
#   frameworks:
#     cis-docker: ["2.13"]
package vigil.host.remote_logging

import data.vigil.lib.config
import data.vigil.lib.host
import data.vigil.lib.text

deny contains msg if {
	h := input.host
	d := h.daemon
	d != null
	d.log_driver in config.value("local_log_drivers")
	msg := sprintf("host %s: Docker daemon keeps container logs locally (log driver %s)", [text.quote(host.display_name(h)), text.quote(d.log_driver)])
}
