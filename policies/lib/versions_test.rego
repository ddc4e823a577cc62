package vigil.lib.versions_test

import data.vigil.lib.versions

# Pairs whose order dpkg documents in deb-version(7): "~" before everything,
# even the end; letters before non-letters; digit runs as numbers; epochs first.
test_dpkg_order if {
	every pair in [
		["1.0~rc1", "1.0"],
		["1.0~~", "1.0~"],
		["1.0", "1.0a"],
		["1.0a", "1.0+"],
		["2.4-1", "2.30-1"],
		["9.9", "1:0.1"],
		["1.0-1", "1.0-1.1"],
		["1.0-9", "1.0-10"],
		["1.0", "1.0.0"],
		["1.0+git20240101000000000001", "1.0+git20240101000000000002"],
	] {
		versions.compare("Debian:12", pair[0], pair[1]) == -1
		versions.compare("Debian:12", pair[1], pair[0]) == 1
	}
}

test_dpkg_equal if {
	every pair in [["1.0", "1.0-0"], ["0:1.0", "1.0"], ["1.01", "1.1"], ["1.0-1", "1.0-1"]] {
		versions.compare("Ubuntu:22.04", pair[0], pair[1]) == 0
	}
}

test_apk_order if {
	every pair in [
		["1.0_alpha", "1.0_beta"],
		["1.0_rc9", "1.0"],
		["1.0", "1.0_p1"],
		["1.0_p9", "1.0_p10"],
		["1.0-r9", "1.0-r10"],
		["1.0.05", "1.0.5"],
		["1.0", "1.00"],
		["1.0", "1.0a"],
		["1.2-r5", "1.2.1"],
	] {
		versions.compare("Alpine:v3.20", pair[0], pair[1]) == -1
		versions.compare("Alpine:v3.20", pair[1], pair[0]) == 1
	}
}

test_semver_and_unknown_schemes if {
	versions.compare("SEMVER", "v1.2.3", "1.10.0") == -1
	versions.compare("SEMVER", "2.0.0-rc.1", "2.0.0") == -1
	versions.compare("npm", "b", "a") == 1
}
