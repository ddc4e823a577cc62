package vigil.dockerfile.root_user_test

import data.vigil.dockerfile.root_user

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_no_user_denied_at_from if {
	r := root_user.deny with input as _df([_stage("node:22", 1, [_i("RUN", "npm ci", 2)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": the final stage (FROM node:22) sets no USER and runs as root", "line": 1}}
}

test_last_user_root_denied if {
	r := root_user.deny with input as _df([_stage("node:22", 1, [_i("USER", "node", 2), _i("USER", "0:0", 5)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": the final stage runs as root (USER 0:0)", "line": 5}}
}

test_only_the_final_stage_counts if {
	r := root_user.deny with input as _df([
		_stage("golang:1.26", 1, [_i("RUN", "go build", 2)]),
		_stage("gcr.io/distroless/static", 4, [_i("USER", "65532:65532", 6)]),
	])
	count(r) == 0
}

test_user_inherited_from_the_stage_built_on if {
	base := object.union(_stage("node:22", 1, [_i("USER", "node", 2)]), {"name": "base", "index": 0})
	final := object.union(_stage("base", 4, [_i("COPY", ". /app", 5)]), {"base_stage": "base", "index": 1, "lineage": [0]})
	count(root_user.deny) == 0 with input as _df([base, final])
	root := object.union(final, {"instructions": [_i("USER", "root", 5)]})
	count(root_user.deny) == 1 with input as _df([base, root])
}
