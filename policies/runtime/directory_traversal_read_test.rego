package vigil.runtime.directory_traversal_read_test

import data.vigil.runtime.directory_traversal_read

_fact(path, requested) := {"kind": "file_access", "file_access": {
	"path": path, "requested_path": requested, "operation": "open", "read": true, "write": false,
	"process": {"pid": 80, "comm": "php-fpm", "exe": "/usr/sbin/php-fpm"},
	"container": {"id": "c0ffee", "name": "shop", "image": "php:8"},
}}

test_traversal_to_shadow_denied if {
	r := directory_traversal_read.deny with input as _fact("/etc/shadow", "/var/www/html/../../../etc/shadow")
	count(r) == 1
	r == {"/usr/sbin/php-fpm (pid 80) in container \"shop\" read /etc/shadow through /var/www/html/../../../etc/shadow"}
}

test_traversal_to_key_denied if {
	r := directory_traversal_read.deny with input as _fact("/root/.ssh/id_rsa", "../../root/.ssh/id_rsa")
	count(r) == 1
	r == {"/usr/sbin/php-fpm (pid 80) in container \"shop\" read /root/.ssh/id_rsa through ../../root/.ssh/id_rsa"}
}

test_plain_read_allowed if {
	count(directory_traversal_read.deny) == 0 with input as _fact("/etc/shadow", "")
}

test_traversal_elsewhere_allowed if {
	count(directory_traversal_read.deny) == 0 with input as _fact("/var/www/html/img/a.png", "/var/www/html/css/../img/a.png")
}
