package vigil.image.healthcheck_test

import data.vigil.image.healthcheck

_image(hc) := {"kind": "image", "image": {"reference": "shop/web:1.4", "config": {"health_check": hc}}}

test_no_healthcheck_denied if {
	r := healthcheck.deny with input as _image(null)
	count(r) == 1
	r == {"image \"shop/web:1.4\" has no HEALTHCHECK instruction"}
}

test_empty_test_denied if {
	r := healthcheck.deny with input as _image({"test": []})
	count(r) == 1
	r == {"image \"shop/web:1.4\" has no HEALTHCHECK instruction"}
}

test_disabled_denied if {
	r := healthcheck.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "config": {"health_check": {"test": ["NONE"]}}}}
	count(r) == 1
	r == {"image \"sha256:abc\" disables its health check (HEALTHCHECK NONE)"}
}

test_healthcheck_allowed if {
	r := healthcheck.deny with input as _image({"test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval_ms": 30000})
	count(r) == 0
}

test_missing_config_allowed if {
	count(healthcheck.deny) == 0 with input as {"kind": "image", "image": {"reference": "x", "config": null}}
}
