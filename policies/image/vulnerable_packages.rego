# METADATA
# title: Package with a known vulnerability
# description: >-
#   An installed package version is listed as affected in the vulnerability feed
#   data.vigil.vulnerabilities, an OSV-style list (empty by default; load one from
#   your scanner or advisory source) of {"id": "CVE-2024-1234", "summary": "...",
#   "severity": "HIGH", "affected": [{"package": {"ecosystem": "Debian:12", "name":
#   "openssl"}, "versions": ["3.0.11-1~deb12u1"]}]}. A package matches when the
#   ecosystem is equal (an ecosystem without ":release", e.g. "Debian", matches every
#   release), the name equals the binary or the source package name, and the installed
#   version is exactly one of "versions" (OSV "ranges" are not evaluated: expand them
#   into versions when building the feed). The advisory's severity is in the message.
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

deny contains msg if {
	some pkg in input.image.packages
	some vuln in data.vigil.vulnerabilities
	some affected in vuln.affected
	_name_matches(affected.package.name, pkg)
	_ecosystem_matches(affected.package.ecosystem, pkg.ecosystem)
	pkg.version in affected.versions
	msg := sprintf("image \"%s\": package %s %s (%s) is affected by %s [%s]: %s", [
		_name, pkg.name, pkg.version, pkg.ecosystem, vuln.id,
		object.get(vuln, "severity", "UNKNOWN"), object.get(vuln, "summary", ""),
	])
}

_name_matches(name, pkg) if name == pkg.name

_name_matches(name, pkg) if {
	pkg.source_name != ""
	name == pkg.source_name
}

_ecosystem_matches(want, have) if want == have

_ecosystem_matches(want, have) if {
	not contains(want, ":")
	want == split(have, ":")[0]
}

_name := ref if {
	ref := input.image.reference
	ref != ""
} else := input.image.id
