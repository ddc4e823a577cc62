# METADATA
# title: Host fact helpers
# description: >-
#   Shared reading of a HostFact: the host name for messages and file lookups.
# scope: package
# custom:
#   library: true
package vigil.lib.host

# display_name names the host in messages.
display_name(h) := h.hostname if h.hostname != ""

display_name(h) := "<unknown host>" if h.hostname == ""

# docker_installed holds unless the collector found nothing of Docker on the host.
docker_installed(h) if not h.docker_absent

# existing_files returns the host's collected files that exist.
existing_files(h) := [f |
	some f in h.files
	f.exists
]

# owner names a file's owner and group for messages, falling back to ids.
owner(f) := sprintf("%s:%s", [_name(f.owner, f.uid), _name(f.group, f.gid)])

_name(name, _) := name if name != ""

_name("", id) := sprintf("%d", [id])

# octal formats permission bits as four octal digits: octal(420) == "0644".
octal(mode) := concat("", [
	_digit(mode, 512),
	_digit(mode, 64),
	_digit(mode, 8),
	_digit(mode, 1),
])

_digit(mode, place) := sprintf("%d", [floor(mode / place) % 8])
