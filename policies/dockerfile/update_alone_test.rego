package vigil.dockerfile.update_alone_test

import data.vigil.dockerfile.update_alone

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_update_alone_denied if {
	r := update_alone.deny with input as _df([_stage("debian:12", 1, [_i("RUN", "apt-get update", 2), _i("RUN", "apt-get install -y curl", 3)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": RUN updates the package index without installing in the same step: apt-get update", "line": 2}}
}

test_heredoc_script_is_judged if {
	run := object.union(_i("RUN", "<<EOF", 2), {"heredocs": [{"name": "EOF", "content": "apk update\n"}]})
	count(update_alone.deny) == 1 with input as _df([_stage("alpine:3.20", 1, [run])])
}

test_update_and_install_allowed if {
	count(update_alone.deny) == 0 with input as _df([_stage("debian:12", 1, [_i("RUN", "apt-get update && apt-get install -y curl", 2)])])
}
