# METADATA
# title: System account ran an interactive shell
# description: >-
#   A shell ran in a container as a system account (uid 1 to 999, or nobody 65534)
#   interactively: on a terminal, or reading commands from its input rather than from
#   -c. Daemon accounts never log in; a shell under one is a compromised service or an
#   attacker who switched to it to blend in. Uids listed in
#   data.vigil.config.runtime_system_shell_allowed_uids are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-042
#   kind: process_exec
#   severity: HIGH
#   maturity: stable
#   recommended_action: "Find the session (parent process, exec into the container); give service accounts /usr/sbin/nologin and run the service as a dedicated non-login user."
#   frameworks:
#     mitre: ["T1059.004", "T1078.003"]
package vigil.runtime.system_user_shell

import data.vigil.lib.event
import data.vigil.lib.text

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.is_shell(p)
	_system_uid(p.uid)
	_interactive(p)
	not _allowed_uid(p.uid)
	msg := sprintf("%s (pid %d) in container %s is an interactive shell of system account uid %d", [event.exe(p), p.pid, text.quote(event.name(fact.container)), p.uid])
}

_system_uid(uid) if {
	uid > 0
	uid < 1000
}

_system_uid(65534)

_interactive(p) if p.tty

_interactive(p) if not "-c" in p.args

_allowed_uid(uid) if uid in data.vigil.config.runtime_system_shell_allowed_uids
