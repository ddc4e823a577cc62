# METADATA
# title: Host path helpers
# description: >-
#   Path comparison that respects path boundaries: /etc covers /etc and
#   /etc/ssl, but not /etcetera.
# scope: package
# custom:
#   library: true
package vigil.lib.paths

# clean removes trailing slashes (but keeps "/") and collapses "//".
clean(path) := "/" if {
	_stripped(path) == ""
	startswith(path, "/")
}

clean(path) := _stripped(path) if _stripped(path) != ""

clean(path) := "" if path == ""

_stripped(path) := trim_right(replace(path, "//", "/"), "/")

# within is true when path is prefix itself or lies below it.
within(path, prefix) if clean(path) == clean(prefix)

within(path, prefix) if {
	clean(prefix) != "/"
	startswith(clean(path), concat("", [clean(prefix), "/"]))
}

within(path, "/") if startswith(path, "/")

# equals_any is true when path equals one of candidates, after cleaning.
equals_any(path, candidates) if {
	some candidate in candidates
	clean(path) == clean(candidate)
}

# basename("/var/run/docker.sock") == "docker.sock"
basename(path) := parts[count(parts) - 1] if {
	parts := split(clean(path), "/")
}
