package vigil.container.host_probes_test

import data.vigil.container.host_probes

test_probe_host_denied if {
	r := host_probes.deny with input as {"kind": "container", "container": {"name": "app", "kubernetes": {"probe_hosts": ["10.0.0.1", "10.0.0.1", "example.com"]}}}
	r == {"container \"app\" has probes or lifecycle handlers that target host \"10.0.0.1\", \"example.com\""}
}

test_no_host_allowed if {
	count(host_probes.deny) == 0 with input as {"kind": "container", "container": {"name": "app", "kubernetes": {"probe_hosts": []}}}
	count(host_probes.deny) == 0 with input as {"kind": "container", "container": {"name": "app"}}
}
