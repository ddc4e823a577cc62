package vigil.dockerfile.privileged_port_test

import data.vigil.dockerfile.privileged_port

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_low_ports_denied if {
	r := privileged_port.deny with input as _df([_stage("nginx:1.27", 1, [_i("EXPOSE", "80/tcp 8443 22", 6)])])
	r == {
		{"msg": "Dockerfile \"app/Dockerfile\": EXPOSE 80/tcp is a privileged port", "line": 6},
		{"msg": "Dockerfile \"app/Dockerfile\": EXPOSE 22 is a privileged port", "line": 6},
	}
}

test_high_ports_allowed if {
	count(privileged_port.deny) == 0 with input as _df([_stage("nginx:1.27", 1, [_i("EXPOSE", "8080", 6)])])
}
