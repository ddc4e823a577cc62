package vigil.dockerfile.base_digest_test

import data.vigil.dockerfile.base_digest

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_tag_only_denied if {
	r := base_digest.deny with input as _df([_stage("debian:12", 1, [])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": FROM debian:12 is not pinned by digest", "line": 1}}
}

test_digest_allowed if {
	count(base_digest.deny) == 0 with input as _df([_stage("debian:12@sha256:0123", 1, []), _stage("scratch", 3, [])])
}
