package vigil.runtime.data_destruction_test

import data.vigil.runtime.data_destruction

_fact(args) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 66, "comm": args[0], "exe": concat("", ["/bin/", args[0]]), "args": args},
	"container": {"id": "c0ffee", "name": "db", "image": "postgres:16"},
}}

test_shred_denied if {
	r := data_destruction.deny with input as _fact(["shred", "-u", "/var/lib/postgresql/data/base"])
	count(r) == 1
	r == {"/bin/shred (pid 66) in container \"db\" destroys data: shred -u /var/lib/postgresql/data/base"}
}

test_rm_rf_data_denied if {
	r := data_destruction.deny with input as _fact(["rm", "-rf", "/var/lib/"])
	r == {"/bin/rm (pid 66) in container \"db\" destroys data: rm -rf /var/lib/"}
}

test_rm_long_flags_denied if {
	r := data_destruction.deny with input as _fact(["rm", "--recursive", "--force", "/home"])
	count(r) == 1
	r == {"/bin/rm (pid 66) in container \"db\" destroys data: rm --recursive --force /home"}
}

test_rm_rf_build_dir_allowed if {
	count(data_destruction.deny) == 0 with input as _fact(["rm", "-rf", "/tmp/build-1234"])
}

test_rm_without_force_allowed if {
	count(data_destruction.deny) == 0 with input as _fact(["rm", "-r", "/var/log"])
}

test_allowed_image_allowed if {
	r := data_destruction.deny with input as _fact(["shred", "x"])
		with data.vigil.config.runtime_data_destruction_allowed_images as ["postgres:*"]
	count(r) == 0
}
