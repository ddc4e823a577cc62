package vigil.image.secret_env_test

import data.vigil.image.secret_env

_image(env) := {"kind": "image", "image": {"reference": "shop/api:2", "config": {"env": env}}}

test_password_env_denied if {
	r := secret_env.deny with input as _image([
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"DB_PASSWORD=s3cr3t=x",
		"STRIPE_API_KEY=sk_live_000",
	])
	count(r) == 2
	r == {
		"image \"shop/api:2\" sets credential-like environment variable DB_PASSWORD in its config",
		"image \"shop/api:2\" sets credential-like environment variable STRIPE_API_KEY in its config",
	}
}

test_image_id_used_when_no_reference if {
	r := secret_env.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "config": {"env": ["GITHUB_TOKEN=ghp_x"]}}}
	r == {"image \"sha256:abc\" sets credential-like environment variable GITHUB_TOKEN in its config"}
}

test_references_and_empty_values_allowed if {
	r := secret_env.deny with input as _image([
		"POSTGRES_PASSWORD_FILE=/run/secrets/db",
		"DB_PASSWORD=",
		"TOKEN_URL=https://auth.example.com/token",
		"GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
		"LANG=C.UTF-8",
	])
	count(r) == 0
}

test_allowlisted_name_allowed if {
	r := secret_env.deny with input as _image(["PASSWORD_MIN_LENGTH=12"])
		with data.vigil.config.image_secret_env_allowed_names as ["PASSWORD_MIN_LENGTH"]
	count(r) == 0
}
