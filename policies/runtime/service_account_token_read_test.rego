package vigil.runtime.service_account_token_read_test

import data.vigil.runtime.service_account_token_read

_fact(path, comm, exe) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "read": true,
	"process": {"pid": 1600, "comm": comm, "exe": exe},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

_token := "/var/run/secrets/kubernetes.io/serviceaccount/token"

test_cat_token_denied if {
	r := service_account_token_read.deny with input as _fact(_token, "cat", "/bin/cat")
	count(r) == 1
	r == {"/bin/cat (pid 1600) in container \"web\" read service account token /var/run/secrets/kubernetes.io/serviceaccount/token"}
}

test_busybox_and_data_dir_denied if {
	r := service_account_token_read.deny with input as _fact("/run/secrets/kubernetes.io/serviceaccount/..2024_05_01_10_00_00.123/token", "x", "/usr/bin/base64")
	count(r) == 1
	r == {"/usr/bin/base64 (pid 1600) in container \"web\" read service account token /run/secrets/kubernetes.io/serviceaccount/..2024_05_01_10_00_00.123/token"}
}

test_application_client_allowed if {
	count(service_account_token_read.deny) == 0 with input as _fact(_token, "app", "/app/server")
}

test_other_secret_file_allowed if {
	count(service_account_token_read.deny) == 0 with input as _fact("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", "cat", "/bin/cat")
}
