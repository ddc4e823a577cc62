# METADATA
# title: Expected ownership and modes of Docker's files
# description: >-
#   Maps a host path to what CIS Docker Benchmark section 3 expects of it: the
#   patterns in data.vigil.config.docker_files ("**" spans directories, "*" does
#   not) and the daemon's TLS CA, certificate and key.
# scope: package
# custom:
#   library: true
package vigil.lib.docker_files

import data.vigil.lib.config

# expectation returns {"max_mode", "ownership", "permissions"} for path, the
# first matching entry winning; undefined for paths CIS section 3 does not cover.
expectation(path, daemon) := _all(daemon)[i] if {
	i := min({j |
		some j, entry in _all(daemon)
		_matches(entry, path)
	})
}

_all(daemon) := array.concat(_tls(daemon), config.value("docker_files"))

_tls(null) := []

_tls(daemon) := [entry |
	some candidate in [
		{"path": daemon.tls_cacert, "max_mode": 292, "ownership": "3.9", "permissions": "3.10"},
		{"path": daemon.tls_cert, "max_mode": 292, "ownership": "3.11", "permissions": "3.12"},
		{"path": daemon.tls_key, "max_mode": 256, "ownership": "3.13", "permissions": "3.14"},
	]
	candidate.path != ""
	entry := candidate
] if daemon != null

_matches(entry, path) if entry.path == path

_matches(entry, path) if glob.match(entry.pattern, ["/"], path)
