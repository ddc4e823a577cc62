package vigil.dockerfile.healthcheck_test

import data.vigil.dockerfile.healthcheck

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_missing_denied if {
	r := healthcheck.deny with input as _df([_stage("nginx:1.27", 3, [])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": the final stage (FROM nginx:1.27) has no HEALTHCHECK instruction", "line": 3}}
}

test_none_denied if {
	r := healthcheck.deny with input as _df([_stage("nginx:1.27", 1, [_i("HEALTHCHECK", "NONE", 4)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": HEALTHCHECK NONE turns the health check off", "line": 4}}
}

test_present_allowed if {
	count(healthcheck.deny) == 0 with input as _df([_stage("nginx:1.27", 1, [_i("HEALTHCHECK", "CMD curl -f http://localhost/", 4)])])
}
