package vigil.runtime.credential_search_test

import data.vigil.runtime.credential_search

_fact(args) := {"kind": "process_exec", "process_exec": {
	"process": {"pid": 50, "comm": args[0], "exe": concat("", ["/usr/bin/", args[0]]), "args": args},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_find_private_keys_denied if {
	r := credential_search.deny with input as _fact(["find", "/", "-name", "id_rsa"])
	count(r) == 1
	r == {"/usr/bin/find (pid 50) in container \"web\" searched for credentials (id_rsa): find / -name id_rsa"}
}

test_grep_aws_denied if {
	r := credential_search.deny with input as _fact(["grep", "-ri", "AWS_ACCESS_KEY_ID", "/"])
	r == {"/usr/bin/grep (pid 50) in container \"web\" searched for credentials (aws_access_key_id): grep -ri AWS_ACCESS_KEY_ID /"}
}

test_ordinary_grep_allowed if {
	count(credential_search.deny) == 0 with input as _fact(["grep", "-q", "nginx", "/etc/hosts"])
}

test_needle_only_in_program_name_allowed if {
	count(credential_search.deny) == 0 with input as _fact(["password", "--help"])
}

test_allowed_image_allowed if {
	r := credential_search.deny with input as _fact(["find", "/", "-name", "id_rsa"])
		with data.vigil.config.runtime_credential_search_allowed_images as ["nginx:*"]
	count(r) == 0
}

test_several_needles_one_finding_denied if {
	r := credential_search.deny with input as _fact(["find", "/", "-name", "*.pem", "-o", "-name", "id_rsa"])
	r == {"/usr/bin/find (pid 50) in container \"web\" searched for credentials (id_rsa, .pem): find / -name *.pem -o -name id_rsa"}
}
