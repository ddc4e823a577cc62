package vigil.dockerfile.add_remote_url_test

import data.vigil.dockerfile.add_remote_url

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_remote_without_checksum_denied if {
	r := add_remote_url.deny with input as _df([_stage("alpine:3.20", 1, [_i("ADD", "https://example.com/tool.tgz /opt/", 3)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": ADD fetches https://example.com/tool.tgz without --checksum", "line": 3}}
}

test_checksum_allowed if {
	add := object.union(_i("ADD", "https://example.com/tool.tgz /opt/", 3), {"flags": [{"name": "checksum", "value": "sha256:abc"}]})
	count(add_remote_url.deny) == 0 with input as _df([_stage("alpine:3.20", 1, [add])])
}

test_exec_form_remote_denied if {
	add := object.union(_i("ADD", "", 3), {"exec_form": ["https://x.example/a.sh", "/a.sh"]})
	count(add_remote_url.deny) == 1 with input as _df([_stage("alpine:3.20", 1, [add])])
}
