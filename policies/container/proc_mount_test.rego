package vigil.container.proc_mount_test

import data.vigil.container.proc_mount

test_unmasked_denied if {
	r := proc_mount.deny with input as {"kind": "container", "container": {"name": "builder", "kubernetes": {"proc_mount": "Unmasked"}}}
	r == {"container \"builder\" uses procMount \"Unmasked\", which unmasks /proc"}
}

test_default_allowed if {
	r := proc_mount.deny with input as {"kind": "container", "container": {"name": "api", "kubernetes": {"proc_mount": "Default"}}}
	count(r) == 0
}

test_docker_allowed if {
	r := proc_mount.deny with input as {"kind": "container", "container": {"name": "web", "kubernetes": null}}
	count(r) == 0
}
