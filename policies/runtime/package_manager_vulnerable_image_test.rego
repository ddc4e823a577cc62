package vigil.runtime.package_manager_vulnerable_image_test

import data.vigil.runtime.package_manager_vulnerable_image

_feed := [{
	"id": "CVE-2024-0001", "summary": "overflow",
	"affected": [{"package": {"name": "openssl", "ecosystem": "Debian:12"}, "versions": ["3.0.11-1"]}],
}]

_exec(comm, packages) := {
	"kind": "process_exec",
	"process_exec": {
		"process": {"pid": 90, "exe": sprintf("/usr/bin/%s", [comm]), "comm": comm, "args": [comm, "install", "curl"]},
		"container": {"id": "c0ffee", "name": "api", "image": "corp/api:3", "host": false},
	},
	"context": {"image": {"id": "sha256:ab", "repo_tags": ["corp/api:3"], "packages": packages}},
}

_openssl(version) := [{"name": "openssl", "version": version, "ecosystem": "Debian:12"}]

test_apt_in_vulnerable_image_denied if {
	r := package_manager_vulnerable_image.deny with input as _exec("apt-get", _openssl("3.0.11-1"))
		with data.vigil.vulnerabilities as _feed
	r == {"package manager /usr/bin/apt-get (pid 90) run in container \"api\", whose image has 1 known-vulnerable package finding(s)"}
}

test_apt_in_patched_image_allowed if {
	count(package_manager_vulnerable_image.deny) == 0 with input as _exec("apt-get", _openssl("3.0.13-1"))
		with data.vigil.vulnerabilities as _feed
}

test_other_process_allowed if {
	count(package_manager_vulnerable_image.deny) == 0 with input as _exec("curl", _openssl("3.0.11-1"))
		with data.vigil.vulnerabilities as _feed
}
