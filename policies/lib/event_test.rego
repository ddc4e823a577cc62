package vigil.lib.event_test

import data.vigil.lib.event

test_in_container if {
	event.in_container({"id": "c0ffee", "host": false})
	event.in_container({"id": "c0ffee"})
	not event.in_container({"id": "", "host": true})
	not event.in_container({"id": "c0ffee", "host": true})
	not event.in_container({"id": ""})
	not event.in_container(null)
}

test_names if {
	event.name({"name": "web", "id": "c0ffee"}) == "web"
	event.name({"name": "/web", "id": "c0ffee"}) == "web"
	event.name({"name": "", "id": "c0ffee"}) == "c0ffee"
	event.exe({"exe": "/bin/sh", "comm": "sh"}) == "/bin/sh"
	event.exe({"exe": "", "comm": "sh"}) == "sh"
}

test_named_by_argv0 if {
	event.named({"comm": "exe", "exe": "/bin/sh", "args": ["nc", "-e", "/bin/sh"]}, {"nc"})
	not event.named({"comm": "exe", "exe": "/bin/sh", "args": ["ncdu"]}, {"nc"})
	not event.named({"comm": "exe", "exe": "/bin/sh", "args": []}, {"nc"})
}

test_is_shell if {
	event.is_shell({"comm": "bash", "exe": ""})
	event.is_shell({"comm": "x", "exe": "/bin/ash"})
	not event.is_shell({"comm": "bashful", "exe": "/usr/bin/bashful"})
}

test_process_listed if {
	event.process_listed({"comm": "su", "exe": "/bin/su"}, "k") with data.vigil.config as {"k": ["su"]}
	event.process_listed({"comm": "x", "exe": "/bin/su"}, "k") with data.vigil.config as {"k": ["/bin/su"]}
	not event.process_listed({"comm": "sudo", "exe": "/bin/sudo"}, "k") with data.vigil.config as {"k": ["su"]}
	not event.process_listed({"comm": "su", "exe": "/bin/su"}, "k") with data.vigil.config as {}
}

test_image_and_path_listed if {
	event.image_listed("nginx:1.27", "k") with data.vigil.config as {"k": ["nginx:*"]}
	not event.image_listed("docker.io/library/nginx:1.27", "k") with data.vigil.config as {"k": ["nginx:*"]}
	event.image_listed("docker.io/library/nginx:1.27", "k") with data.vigil.config as {"k": ["**/nginx:*"]}
	event.path_listed("/usr/lib/python3/__pycache__/a.pyc", "k") with data.vigil.config as {"k": ["/usr/lib/**/__pycache__/*"]}
	not event.path_listed("/usr/lib/python3/a.pyc", "k") with data.vigil.config as {"k": ["/usr/lib/**/__pycache__/*"]}
}

test_profile_lookup_order if {
	profiles := {"web": {"n": 1}, "nginx:1.27": {"n": 2}, "nginx": {"n": 3}}
	event.profile({"name": "/web", "image": "nginx:1.27"}) == {"n": 1} with data.vigil.profiles as profiles
	event.profile({"name": "api", "image": "nginx:1.27"}) == {"n": 2} with data.vigil.profiles as profiles
	event.profile({"name": "api", "image": "nginx:1.26"}) == {"n": 3} with data.vigil.profiles as profiles
	not event.profile({"name": "api", "image": "redis:7"}) with data.vigil.profiles as profiles
}

test_repository if {
	event.repository("nginx:1.27") == "nginx"
	event.repository("registry.example.com:5000/shop/api:2@sha256:abc") == "registry.example.com:5000/shop/api"
	event.repository("shop/api") == "shop/api"
}

_learned := {"learned": true, "workload": "compose:shop/web", "version": 7, "state": "enforcing", "listen_ports": {"tcp/80": true}}

test_profile_skips_learned_profiles if {
	profiles := {"web": _learned, "nginx:1.27": {"n": 2}, "nginx": _learned}
	event.profile({"name": "web", "image": "nginx:1.27"}) == {"n": 2} with data.vigil.profiles as profiles
	not event.profile({"name": "web", "image": "nginx:1.26"}) with data.vigil.profiles as profiles
	event.profile({"name": "web", "image": "x"}) == {"n": 1, "learned": false} with data.vigil.profiles as {"web": {"n": 1, "learned": false}}
}

test_learned_profile if {
	c := {"id": "c0ffee", "name": "web-1", "workload": "compose:shop/web"}
	event.learned_profile(c) == _learned with data.vigil.profiles as {"compose:shop/web": _learned}
	not event.learned_profile(c) with data.vigil.profiles as {"compose:shop/web": object.union(_learned, {"state": "learning"})}
	not event.learned_profile(c) with data.vigil.profiles as {"compose:shop/web": object.remove(_learned, ["learned"])}
	not event.learned_profile(c) with data.vigil.profiles as {"compose:shop/web": object.union(_learned, {"learned": "yes"})}
	not event.learned_profile(c) with data.vigil.profiles as {"compose:shop/web": {"listen_ports": [80]}}
	not event.learned_profile(c) with data.vigil.profiles as {"web-1": _learned}
	not event.learned_profile(object.union(c, {"host": true})) with data.vigil.profiles as {"compose:shop/web": _learned}
	not event.learned_profile(object.union(c, {"workload": ""})) with data.vigil.profiles as {"": _learned}
	not event.learned_profile({"id": "c0ffee", "name": "web-1"}) with data.vigil.profiles as {"compose:shop/web": _learned}
}

test_learned_new if {
	event.learned_new(_learned, "listen_ports", "tcp/81")
	not event.learned_new(_learned, "listen_ports", "tcp/80")
	not event.learned_new(_learned, "peers", "tcp/10.0.0.1:80")
	event.learned_new({"peers": {}}, "peers", "tcp/10.0.0.1:80")
}

test_learned_drift if {
	c := {"id": "c0ffee", "name": "", "workload": "k8s:shop/web"}
	event.learned_drift(c, _learned, "did x") == "container \"c0ffee\" (workload k8s:shop/web) did x, not in its learned profile (version 7)"
	event.learned_drift(c, {}, "did x") == "container \"c0ffee\" (workload k8s:shop/web) did x, not in its learned profile (version ?)"
}
