package vigil.dockerfile.sudo_test

import data.vigil.dockerfile.sudo

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_sudo_denied if {
	r := sudo.deny with input as _df([_stage("debian:12", 1, [_i("RUN", "make && sudo make install", 4)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": RUN calls sudo: make && sudo make install", "line": 4}}
}

test_installing_the_package_allowed if {
	count(sudo.deny) == 0 with input as _df([_stage("debian:12", 1, [_i("RUN", "apt-get install -y sudo", 4)])])
}
