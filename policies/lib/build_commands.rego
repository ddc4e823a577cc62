# METADATA
# title: Build command helpers
# description: >-
#   What a build step's shell command does, for the image rules (read from the
#   image history) and the Dockerfile rules (read before any build) alike.
# scope: package
# custom:
#   library: true
package vigil.lib.build_commands

_pipe_to_shell := `(?i)\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(\S*/)?(sh|bash|dash|ash|zsh|ksh|python[0-9.]*|perl|ruby|php|node)\b`

# pipes_download_to_shell: curl or wget output piped straight into a shell or interpreter.
pipes_download_to_shell(cmd) if regex.match(_pipe_to_shell, cmd)

_managers := `\b(apt-get|apt|aptitude|apk|yum|dnf|microdnf|tdnf|zypper)\b[^;&|]*\s`

_update := concat("", [`(?i)`, _managers, `(update|makecache|refresh)\b`])

_install := concat("", [`(?i)`, _managers, `(install|add|in|upgrade|dist-upgrade|full-upgrade)\b`])

# updates_index_alone: the package index is refreshed in a step that installs nothing.
updates_index_alone(cmd) if {
	regex.match(_update, cmd)
	not regex.match(_install, cmd)
}

# uses_sudo: sudo (or doas) in a command's position, not merely named as a package or a path.
uses_sudo(cmd) if regex.match("(^\\s*|[;&|({`]\\s*|\\b(then|do|else|exec)\\s+)(sudo|doas)\\s", cmd)

# credential_name: an environment or build variable named like a secret; *_FILE,
# *_PATH and the like point at one instead of holding it.
credential_name(name) if {
	regex.match(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)`, name)
	not regex.match(`(?i)_(FILE|PATH|DIR|URL|ENDPOINT)$`, name)
}

# remote_source: an ADD source that is fetched from the network.
remote_source(src) if regex.match(`(?i)^((https?|ftp)://|git@)`, src)

# archive_source: an ADD source that ADD unpacks (a local tar archive).
archive_source(src) if regex.match(`(?i)\.(tar|tar\.gz|tgz|tar\.xz|txz|tar\.bz2|tbz2?|tar\.zst)$`, src)
