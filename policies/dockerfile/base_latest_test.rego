package vigil.dockerfile.base_latest_test

import data.vigil.dockerfile.base_latest

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_latest_and_untagged_denied if {
	r := base_latest.deny with input as _df([_stage("ubuntu", 1, []), _stage("registry.example.com:5000/base:latest", 5, [])])
	r == {
		{"msg": "Dockerfile \"app/Dockerfile\": FROM ubuntu uses the mutable tag latest", "line": 1},
		{"msg": "Dockerfile \"app/Dockerfile\": FROM registry.example.com:5000/base:latest uses the mutable tag latest", "line": 5},
	}
}

test_tagged_digest_scratch_and_stages_allowed if {
	stage := object.union(_stage("build", 9, []), {"base_stage": "build"})
	count(base_latest.deny) == 0 with input as _df([_stage("debian:12", 1, []), _stage("scratch", 4, []), _stage("alpine@sha256:0123", 6, []), stage])
}

test_base_from_a_build_time_arg_allowed if {
	count(base_latest.deny) == 0 with input as _df([_stage("$BASE", 1, [])])
}
