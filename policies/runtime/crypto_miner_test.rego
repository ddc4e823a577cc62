package vigil.runtime.crypto_miner_test

import data.vigil.runtime.crypto_miner

_fact(process) := {"kind": "process_exec", "process_exec": {"process": process, "container": {"id": "c0ffee", "name": "web", "image": "nginx:1.27"}}}

test_xmrig_by_name_denied if {
	r := crypto_miner.deny with input as _fact({"pid": 66, "comm": "xmrig", "exe": "/tmp/.x/xmrig", "args": ["xmrig", "-c", "config.json"]})
	count(r) == 1
	r == {"crypto-miner /tmp/.x/xmrig (pid 66) running in container \"web\": xmrig -c config.json"}
}

test_renamed_miner_by_args_denied if {
	r := crypto_miner.deny with input as _fact({"pid": 67, "comm": "kthreadd2", "exe": "/var/tmp/kthreadd2", "args": ["kthreadd2", "-o", "stratum+tcp://pool.example.net:3333", "--donate-level=1"]})
	r == {"crypto-miner /var/tmp/kthreadd2 (pid 67) running in container \"web\": kthreadd2 -o stratum+tcp://pool.example.net:3333 --donate-level=1"}
}

test_basename_match_denied if {
	r := crypto_miner.deny with input as _fact({"pid": 68, "comm": "x", "exe": "/opt/MINERD", "args": []})
	r == {"crypto-miner /opt/MINERD (pid 68) running in container \"web\": "}
}

test_ordinary_process_allowed if {
	count(crypto_miner.deny) == 0 with input as _fact({"pid": 1, "comm": "nginx", "exe": "/usr/sbin/nginx", "args": ["nginx", "-g", "daemon off;"]})
}
