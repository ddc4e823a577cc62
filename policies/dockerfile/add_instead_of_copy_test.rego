package vigil.dockerfile.add_instead_of_copy_test

import data.vigil.dockerfile.add_instead_of_copy

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_local_add_denied if {
	r := add_instead_of_copy.deny with input as _df([_stage("alpine:3.20", 1, [_i("ADD", "src/ /app/", 7)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": ADD src/ /app/ copies local files; use COPY", "line": 7}}
}

test_archive_and_remote_allowed if {
	count(add_instead_of_copy.deny) == 0 with input as _df([_stage("alpine:3.20", 1, [
		_i("ADD", "rootfs.tar.gz /", 2),
		_i("ADD", "https://example.com/tool.tgz /opt/", 3),
	])])
}
