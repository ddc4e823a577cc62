package vigil.dockerfile.secrets_test

import data.vigil.dockerfile.secrets

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_env_and_arg_secrets_denied if {
	env := object.union(_i("ENV", "DB_PASSWORD=hunter2", 2), {"variables": {"DB_PASSWORD": "hunter2"}})
	arg := object.union(_i("ARG", "NPM_TOKEN", 3), {"variables": {"NPM_TOKEN": ""}})
	r := secrets.deny with input as _df([_stage("node:22", 1, [env, arg])])
	r == {
		{"msg": "Dockerfile \"app/Dockerfile\": ENV DB_PASSWORD holds a credential-like value in the build", "line": 2},
		{"msg": "Dockerfile \"app/Dockerfile\": ARG NPM_TOKEN holds a credential-like value in the build", "line": 3},
	}
}

test_pointers_and_allowed_names_allowed if {
	env := object.union(_i("ENV", "DB_PASSWORD_FILE=/run/secrets/db", 2), {"variables": {"DB_PASSWORD_FILE": "/run/secrets/db", "TOKEN_TTL": "60"}})
	count(secrets.deny) == 0 with input as _df([_stage("node:22", 1, [env])])
		with data.vigil.config.image_secret_env_allowed_names as ["TOKEN_TTL"]
}
