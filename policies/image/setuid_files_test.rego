package vigil.image.setuid_files_test

import data.vigil.image.setuid_files

_files := [
	{"path": "/usr/bin/passwd", "mode": 2541, "setuid": true},
	{"path": "/usr/bin/chage", "mode": 1517, "setgid": true},
	{"path": "/usr/bin/weird", "mode": 3565, "setuid": true, "setgid": true},
	{"path": "/var/local", "mode": 1533, "setgid": true, "is_dir": true},
	{"path": "/tmp", "mode": 1023, "world_writable": true, "sticky": true, "is_dir": true},
]

test_setuid_files_denied if {
	r := setuid_files.deny with input as {"kind": "image", "image": {"reference": "debian:12", "files": _files}}
		with data.vigil.config.image_setuid_allowed_paths as []
	count(r) == 1
	r == {"image \"debian:12\" contains 3 setuid/setgid files: /usr/bin/chage (setgid), /usr/bin/passwd (setuid), /usr/bin/weird (setuid+setgid)"}
}

test_allowlisted_files_allowed if {
	r := setuid_files.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "files": _files}}
		with data.vigil.config.image_setuid_allowed_paths as ["/usr/bin/passwd", "/usr/bin/chage"]
	count(r) == 1
	r == {"image \"sha256:abc\" contains 1 setuid/setgid files: /usr/bin/weird (setuid+setgid)"}
}

test_no_special_files_allowed if {
	r := setuid_files.deny with input as {"kind": "image", "image": {"reference": "app:1", "files": [_files[3], _files[4]]}}
	count(r) == 0
}

test_default_allowlist_is_empty if {
	r := setuid_files.deny with input as {"kind": "image", "image": {"reference": "app:1", "files": [_files[0]]}}
	r == {"image \"app:1\" contains 1 setuid/setgid files: /usr/bin/passwd (setuid)"}
}
