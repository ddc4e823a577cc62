package vigil.host.tcp_without_tls_test

import data.vigil.host.tcp_without_tls

test_tcp_without_tls_denied if {
	r := tcp_without_tls.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"], "tls": true, "tls_verify": false, "tls_cacert": "", "tls_cert": "/etc/docker/cert.pem", "tls_key": "/etc/docker/key.pem"}}}
	r == {"host \"node-1\": Docker daemon listens on tcp://0.0.0.0:2375 without TLS client authentication"}
}

test_tcp_without_tls_allowed if {
	r := tcp_without_tls.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": {"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"], "tls_verify": true, "tls_cacert": "/etc/docker/ca.pem", "tls_cert": "/etc/docker/cert.pem", "tls_key": "/etc/docker/key.pem"}}}
	count(r) == 0
}

test_no_daemon_allowed if {
	r := tcp_without_tls.deny with input as {"kind": "host", "host": {"hostname": "node-1", "daemon": null}}
	count(r) == 0
}
