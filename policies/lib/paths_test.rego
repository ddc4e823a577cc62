package vigil.lib.paths_test

import data.vigil.lib.paths

test_clean if {
	paths.clean("/etc/") == "/etc"
	paths.clean("//etc//ssl/") == "/etc/ssl"
	paths.clean("/") == "/"
	paths.clean("///") == "/"
	paths.clean("") == ""
}

test_within_respects_boundaries if {
	paths.within("/etc", "/etc")
	paths.within("/etc/ssl/", "/etc/")
	not paths.within("/etcetera", "/etc")
	not paths.within("/", "/etc")
}

test_within_root if {
	paths.within("/anything", "/")
	paths.within("/", "/")
	not paths.within("relative", "/")
}

test_equals_any if {
	paths.equals_any("/run/docker.sock/", ["/var/run/docker.sock", "/run/docker.sock"])
	not paths.equals_any("/run/docker", ["/run/docker.sock"])
}

test_basename if {
	paths.basename("/var/run/docker.sock") == "docker.sock"
	paths.basename("docker.sock") == "docker.sock"
}
