package vigil.lib.config_test

import data.vigil.lib.config

test_data_json_mirrors_defaults if {
	every key, value in config.defaults {
		data.vigil.config[key] == value
	}
}

test_value_falls_back_to_default if {
	config.value("max_restart_retries") == 5 with data.vigil.config as {}
}

test_value_override if {
	config.value("max_restart_retries") == 3 with data.vigil.config as {"max_restart_retries": 3}
	config.value("allowed_capabilities") == [] with data.vigil.config as {"max_restart_retries": 3}
}

test_no_config_at_all if {
	config.value("privileged_port_max") == 1024 with data.vigil.config as null
}
