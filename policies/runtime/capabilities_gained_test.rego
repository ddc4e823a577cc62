package vigil.runtime.capabilities_gained_test

import data.vigil.runtime.capabilities_gained

_fact(caps) := {"kind": "privilege_change", "privilege_change": {
	"change": "capset", "capabilities_gained": caps,
	"process": {"pid": 2800, "comm": "tool", "exe": "/usr/local/bin/tool"},
	"container": {"id": "c0ffee", "name": "api", "image": "shop/api:2"},
}}

test_caps_gained_denied if {
	r := capabilities_gained.deny with input as _fact(["CAP_SYS_ADMIN", "net_raw"])
	count(r) == 1
	r == {"/usr/local/bin/tool (pid 2800) in container \"api\" gained capabilities NET_RAW, SYS_ADMIN"}
}

test_allowed_caps_allowed if {
	r := capabilities_gained.deny with input as _fact(["CAP_NET_BIND_SERVICE"])
		with data.vigil.config.runtime_capset_allowed_capabilities as ["NET_BIND_SERVICE"]
	count(r) == 0
}

test_nothing_gained_allowed if {
	count(capabilities_gained.deny) == 0 with input as _fact([])
}
