# METADATA
# title: Search for credentials or private keys
# description: >-
#   find, grep or a similar tool in a container was run with arguments that hunt for
#   secrets: AWS credentials, SSH or TLS private keys, password files, kubeconfigs.
#   Attackers do this right after getting a shell. Images matched by a glob in
#   data.vigil.config.runtime_credential_search_allowed_images are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-038
#   kind: process_exec
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "Find who started the search (the parent and the session); treat credentials on the container's file system as exposed."
#   frameworks:
#     mitre: ["T1552.001", "T1083"]
package vigil.runtime.credential_search

import data.vigil.lib.event
import data.vigil.lib.text

_searchers := {"find", "grep", "egrep", "fgrep", "rg", "ag", "ack", "locate", "mlocate"}

# Lower-case fragments that only a hunt for secrets puts in the arguments.
_needles := [
	"aws_access_key_id", "aws_secret_access_key", ".aws/credentials", "id_rsa", "id_dsa", "id_ecdsa",
	"id_ed25519", "begin rsa private", "begin openssh private", "begin private key", "begin ec private",
	".pem", ".kube/config", "kubeconfig", "password", "passwd", "secret_key", "api_key", ".git-credentials",
	".pgpass", ".netrc", ".npmrc", ".docker/config.json",
]

deny contains msg if {
	fact := input.process_exec
	event.in_container(fact.container)
	p := fact.process
	event.named(p, _searchers)
	args := lower(concat(" ", array.slice(p.args, 1, count(p.args))))
	found := [needle | some needle in _needles; contains(args, needle)]
	count(found) > 0
	not event.image_listed(fact.container.image, "runtime_credential_search_allowed_images")
	msg := sprintf("%s (pid %d) in container %s searched for credentials (%s): %s", [event.exe(p), p.pid, text.quote(event.name(fact.container)), concat(", ", found), substring(concat(" ", p.args), 0, 200)])
}
