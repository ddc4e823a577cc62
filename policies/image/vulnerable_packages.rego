# METADATA
# title: Package with a known vulnerability
# description: >-
#   An installed package version is listed as affected in the vulnerability feed
#   data.vigil.vulnerabilities, a list of OSV records (empty by default; `vigil scan
#   --vulns` loads OSV's exports). A package matches an affected entry when the
#   ecosystem is equal (one without ":release", e.g. "Debian", matches every release),
#   the name is the binary or the source package's, and the installed version (the
#   source version when matched by source name) is one of "versions" or lies in one of
#   the ECOSYSTEM or SEMVER "ranges": at or after an "introduced" event with no "fixed"
#   event at or before it, nor a "last_affected" event before it, since, and below any
#   "limit". Versions are ordered by dpkg's rules for Debian and Ubuntu and apk's for
#   Alpine. The advisory's severity is in the message.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-016
#   kind: image
#   severity: HIGH
#   maturity: stable
#   recommended_action: Rebuild the image on a patched base and upgrade the package to a fixed version; rescan.
#   frameworks:
#     cis-docker: ["4.4"]
#     mitre: ["T1190"]
package vigil.image.vulnerable_packages

import data.vigil.lib.image
import data.vigil.lib.text
import data.vigil.lib.versions

deny contains msg if {
	some pkg in input.image.packages
	some name in _names(pkg)
	some [i, j] in _affecting[name]
	vuln := data.vigil.vulnerabilities[i]
	affected := vuln.affected[j]
	_ecosystem_matches(affected.package.ecosystem, pkg.ecosystem)
	_affects(affected, pkg.ecosystem, _version(pkg, name))
	msg := sprintf("image %s: package %s %s (%s) is affected by %s [%s]: %s", [
		text.quote(image.display_name(input.image)), pkg.name, pkg.version, pkg.ecosystem, vuln.id,
		_severity(vuln), object.get(vuln, "summary", ""),
	])
}

# The feed's affected entries by package name, built once per evaluation so
# that each package looks up its own instead of walking the whole feed.
_affecting[name] contains [i, j] if {
	some i, vuln in data.vigil.vulnerabilities
	some j, affected in vuln.affected
	name := affected.package.name
}

_names(pkg) := {n | some n in [pkg.name, object.get(pkg, "source_name", "")]; n != ""}

_version(pkg, name) := pkg.source_version if {
	name != pkg.name
	object.get(pkg, "source_version", "") != ""
} else := pkg.version

_affects(affected, _, version) if version in object.get(affected, "versions", [])

_affects(affected, ecosystem, version) if {
	some range in object.get(affected, "ranges", [])
	range.type in {"ECOSYSTEM", "SEMVER"}
	_in_range(range.events, _scheme(range.type, ecosystem), version)
}

_scheme("SEMVER", _) := "SEMVER"

_scheme("ECOSYSTEM", ecosystem) := ecosystem

_in_range(events, scheme, version) if {
	some event in events
	introduced := event.introduced
	_at_or_before(scheme, introduced, version)
	not _closed(events, scheme, introduced, version)
	not _past_limit(events, scheme, version)
}

# "0" introduces every version.
_at_or_before(_, "0", _)

_at_or_before(scheme, a, b) if {
	a != "0"
	versions.compare(scheme, a, b) <= 0
}

_closed(events, scheme, introduced, version) if {
	some event in events
	fixed := event.fixed
	_at_or_before(scheme, introduced, fixed)
	versions.compare(scheme, fixed, version) <= 0
}

_closed(events, scheme, introduced, version) if {
	some event in events
	last := event.last_affected
	_at_or_before(scheme, introduced, last)
	versions.compare(scheme, last, version) < 0
}

_past_limit(events, scheme, version) if {
	some event in events
	limit := event.limit
	limit != "*"
	versions.compare(scheme, version, limit) >= 0
}

_severity(vuln) := vuln.severity if is_string(vuln.severity)

else := vuln.database_specific.severity if is_string(vuln.database_specific.severity)

else := "UNKNOWN"

_ecosystem_matches(want, have) if _release(want) == have

_ecosystem_matches(want, have) if {
	not contains(want, ":")
	want == split(have, ":")[0]
}

# OSV names Ubuntu's LTS releases "Ubuntu:22.04:LTS"; the image says "Ubuntu:22.04".
_release(ecosystem) := trim_suffix(ecosystem, ":LTS")
