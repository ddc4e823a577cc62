package vigil.runtime.cloud_credentials_read_test

import data.vigil.runtime.cloud_credentials_read

_fact(path, comm) := {"kind": "file_access", "file_access": {
	"path": path, "operation": "open", "read": true,
	"process": {"pid": 1500, "comm": comm, "exe": concat("/", ["/usr/bin", comm])},
	"container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"},
}}

test_aws_credentials_denied if {
	r := cloud_credentials_read.deny with input as _fact("/root/.aws/credentials", "cat")
	count(r) == 1
	r == {"/usr/bin/cat (pid 1500) in container \"web\" read credential file /root/.aws/credentials"}
}

test_gcloud_and_kube_denied if {
	cloud_credentials_read.deny == {"/usr/bin/python3 (pid 1500) in container \"web\" read credential file /home/app/.config/gcloud/application_default_credentials.json"} with input as _fact("/home/app/.config/gcloud/application_default_credentials.json", "python3")
	cloud_credentials_read.deny == {"/usr/bin/python3 (pid 1500) in container \"web\" read credential file /home/app/.config/gcloud/legacy_credentials/me@example.com/adc.json"} with input as _fact("/home/app/.config/gcloud/legacy_credentials/me@example.com/adc.json", "python3")
	cloud_credentials_read.deny == {"/usr/bin/python3 (pid 1500) in container \"web\" read credential file /root/.azure/msal_token_cache.json"} with input as _fact("/root/.azure/msal_token_cache.json", "python3")
	cloud_credentials_read.deny == {"/usr/bin/curl (pid 1500) in container \"web\" read credential file /root/.docker/config.json"} with input as _fact("/root/.docker/config.json", "curl")
	cloud_credentials_read.deny == {"/usr/bin/curl (pid 1500) in container \"web\" read credential file /root/.kube/config"} with input as _fact("/root/.kube/config", "curl")
}

test_other_files_allowed if {
	count(cloud_credentials_read.deny) == 0 with input as _fact("/root/.aws/config", "cat")
	count(cloud_credentials_read.deny) == 0 with input as _fact("/app/config.json", "node")
}

test_allowed_exe_allowed if {
	r := cloud_credentials_read.deny with input as _fact("/root/.aws/credentials", "aws")
		with data.vigil.config.runtime_cloud_credentials_allowed_exes as ["/usr/bin/aws"]
	count(r) == 0
}
