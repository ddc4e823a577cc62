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

_ranged := [
	{
		"id": "CVE-0000-0003",
		"database_specific": {"severity": "HIGH"},
		"affected": [{
			"package": {"ecosystem": "Debian:12", "name": "glibc"},
			"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u4"}]}],
		}],
	},
	{
		"id": "CVE-0000-0004",
		"affected": [{
			"package": {"ecosystem": "Alpine:v3.19", "name": "busybox"},
			"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.36.0"}, {"last_affected": "1.36.1-r5"}, {"introduced": "1.37.0_rc1"}, {"fixed": "1.37.0-r2"}]}],
		}],
	},
]

_glibc(version, source_version) := _image([{"name": "libc6", "version": version, "ecosystem": "Debian:12", "source_name": "glibc", "source_version": source_version}])

test_range_before_fix_denied if {
	r := vulnerable_packages.deny with input as _glibc("2.36-9+deb12u3", "") with data.vigil.vulnerabilities as _ranged
	r == {"image \"shop/web:1.4\": package libc6 2.36-9+deb12u3 (Debian:12) is affected by CVE-0000-0003 [HIGH]: "}
}

test_range_fixed_or_later_allowed if {
	every version in ["2.36-9+deb12u4", "2.36-9+deb12u10", "2.37-1", "1:2.0"] {
		count(vulnerable_packages.deny) == 0 with input as _glibc(version, "") with data.vigil.vulnerabilities as _ranged
	}
}

test_range_tilde_sorts_before_release_denied if {
	count(vulnerable_packages.deny) == 1 with input as _glibc("2.36-9+deb12u4~pre1", "") with data.vigil.vulnerabilities as _ranged
}

test_source_version_decides_for_source_match if {
	# A binNMU: the binary's own version is past the fix, its source's is not.
	count(vulnerable_packages.deny) == 1 with input as _glibc("2.36-9+deb12u4+b1", "2.36-9+deb12u3") with data.vigil.vulnerabilities as _ranged
}

test_alpine_ranges_with_last_affected if {
	pkgs := [{"name": "busybox", "version": v, "ecosystem": "Alpine:v3.19"} | some v in [
		"1.35.9-r0", "1.36.0", "1.36.1-r5", "1.36.1-r6", "1.37.0_beta1", "1.37.0_rc1", "1.37.0-r1", "1.37.0-r2", "1.37.1-r0",
	]]
	r := vulnerable_packages.deny with input as _image(pkgs) with data.vigil.vulnerabilities as _ranged
	affected := {v | some msg in r; v := regex.find_n(`busybox [^ ]+`, msg, 1)[0]}
	affected == {"busybox 1.36.0", "busybox 1.36.1-r5", "busybox 1.37.0_rc1", "busybox 1.37.0-r1"}
}

test_ubuntu_lts_ecosystem_matches if {
	feed := [{"id": "UBUNTU-CVE-0000-0001", "affected": [{"package": {"ecosystem": "Ubuntu:22.04:LTS", "name": "openssl"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.2-0ubuntu1.15"}]}]}]}]
	count(vulnerable_packages.deny) == 1 with input as _image([{"name": "openssl", "version": "3.0.2-0ubuntu1.14", "ecosystem": "Ubuntu:22.04"}]) with data.vigil.vulnerabilities as feed
}
