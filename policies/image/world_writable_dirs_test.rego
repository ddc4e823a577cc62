package vigil.image.world_writable_dirs_test

import data.vigil.image.world_writable_dirs

test_world_writable_dir_denied if {
	r := world_writable_dirs.deny with input as {"kind": "image", "image": {"reference": "shop/web:1.4", "files": [
		{"path": "/srv/app/cache", "mode": 511, "world_writable": true, "is_dir": true},
		{"path": "/tmp", "mode": 1023, "world_writable": true, "sticky": true, "is_dir": true},
	]}}
	count(r) == 1
	r == {"image \"shop/web:1.4\" has world-writable directory /srv/app/cache without the sticky bit"}
}

test_by_id_denied if {
	r := world_writable_dirs.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "files": [{"path": "/data", "world_writable": true, "is_dir": true}]}}
	r == {"image \"sha256:abc\" has world-writable directory /data without the sticky bit"}
}

test_world_writable_file_and_sticky_dir_allowed if {
	r := world_writable_dirs.deny with input as {"kind": "image", "image": {"reference": "x", "files": [
		{"path": "/var/tmp", "world_writable": true, "sticky": true, "is_dir": true},
		{"path": "/srv/app/run.sock", "world_writable": true},
	]}}
	count(r) == 0
}
