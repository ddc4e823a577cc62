package vigil.image.package_manager_test

import data.vigil.image.package_manager

test_apt_denied if {
	r := package_manager.deny with input as {"kind": "image", "image": {"reference": "debian:12", "packages": [
		{"name": "dpkg", "version": "1.21.22", "ecosystem": "Debian:12", "manager": "dpkg"},
		{"name": "apt", "version": "2.6.1", "ecosystem": "Debian:12", "manager": "dpkg"},
		{"name": "bash", "version": "5.2.15-2+b2", "ecosystem": "Debian:12", "manager": "dpkg"},
	]}}
	count(r) == 1
	r == {"image \"debian:12\" ships package manager packages: apt, dpkg"}
}

test_apk_denied if {
	r := package_manager.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "packages": [{"name": "apk-tools", "version": "2.14.4-r0"}]}}
	r == {"image \"sha256:abc\" ships package manager packages: apk-tools"}
}

test_distroless_allowed if {
	r := package_manager.deny with input as {"kind": "image", "image": {"reference": "gcr.io/distroless/static:nonroot", "packages": [
		{"name": "base-files", "version": "12.4+deb12u5", "ecosystem": "Debian:12"},
		{"name": "tzdata", "version": "2024a-0+deb12u1", "ecosystem": "Debian:12"},
	]}}
	count(r) == 0
}
