package vigil.lib.capabilities_test

import data.vigil.lib.capabilities

test_normalize_strips_prefix_and_case if {
	capabilities.normalize("cap_sys_admin") == "SYS_ADMIN"
	capabilities.normalize(" CAP_NET_RAW ") == "NET_RAW"
	capabilities.normalize("chown") == "CHOWN"
}

test_normalize_all_dedups if {
	capabilities.normalize_all(["CAP_KILL", "kill", "NET_ADMIN"]) == {"KILL", "NET_ADMIN"}
}

test_drops_all if {
	capabilities.drops_all(["all"])
	capabilities.drops_all(["NET_RAW", "CAP_ALL"])
	not capabilities.drops_all(["NET_RAW"])
	not capabilities.drops_all([])
}

test_names_sorted if {
	capabilities.names({"SYS_ADMIN", "NET_ADMIN"}) == "NET_ADMIN, SYS_ADMIN"
}
