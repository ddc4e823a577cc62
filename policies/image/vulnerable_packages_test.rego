package vigil.image.vulnerable_packages_test

import data.vigil.image.vulnerable_packages

# Made-up advisories: the ids are not real CVEs.
_feed := [
	{
		"id": "CVE-0000-0001",
		"summary": "example buffer overflow in libexample",
		"severity": "CRITICAL",
		"affected": [{"package": {"ecosystem": "Debian:12", "name": "openssl"}, "versions": ["3.0.11-1~deb12u1", "3.0.11-1~deb12u2"]}],
	},
	{
		"id": "CVE-0000-0002",
		"affected": [{"package": {"ecosystem": "Alpine", "name": "busybox"}, "versions": ["1.36.1-r5"]}],
	},
]

_image(pkgs) := {"kind": "image", "image": {"reference": "shop/web:1.4", "packages": pkgs}}

test_source_package_match_denied if {
	r := vulnerable_packages.deny with input as _image([
		{"name": "libssl3", "version": "3.0.11-1~deb12u2", "ecosystem": "Debian:12", "source_name": "openssl"},
		{"name": "openssl", "version": "3.0.11-1~deb12u2", "ecosystem": "Debian:12", "source_name": ""},
	])
		with data.vigil.vulnerabilities as _feed
	count(r) == 2
	r == {
		"image \"shop/web:1.4\": package libssl3 3.0.11-1~deb12u2 (Debian:12) is affected by CVE-0000-0001 [CRITICAL]: example buffer overflow in libexample",
		"image \"shop/web:1.4\": package openssl 3.0.11-1~deb12u2 (Debian:12) is affected by CVE-0000-0001 [CRITICAL]: example buffer overflow in libexample",
	}
}

test_ecosystem_without_release_denied if {
	r := vulnerable_packages.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "packages": [{"name": "busybox", "version": "1.36.1-r5", "ecosystem": "Alpine:v3.19"}]}}
		with data.vigil.vulnerabilities as _feed
	r == {"image \"sha256:abc\": package busybox 1.36.1-r5 (Alpine:v3.19) is affected by CVE-0000-0002 [UNKNOWN]: "}
}

test_other_version_release_or_name_allowed if {
	r := vulnerable_packages.deny with input as _image([
		{"name": "openssl", "version": "3.0.15-1~deb12u1", "ecosystem": "Debian:12"},
		{"name": "openssl", "version": "3.0.11-1~deb12u2", "ecosystem": "Debian:11"},
		{"name": "busybox", "version": "1.36.1-r5", "ecosystem": "Debian:12"},
		{"name": "libssl3", "version": "3.0.11-1~deb12u2", "ecosystem": "Debian:12", "source_name": ""},
	])
		with data.vigil.vulnerabilities as _feed
	count(r) == 0
}

test_empty_feed_allowed if {
	r := vulnerable_packages.deny with input as _image([{"name": "openssl", "version": "3.0.11-1~deb12u2", "ecosystem": "Debian:12"}])
		with data.vigil.vulnerabilities as []
	count(r) == 0
}
