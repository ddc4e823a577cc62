package vigil.image.pipe_to_shell_test

import data.vigil.image.pipe_to_shell

_image(cmds) := {"kind": "image", "image": {"reference": "shop/web:1.4", "history": [{"created_by": c} | some c in cmds]}}

test_curl_pipe_sh_denied if {
	r := pipe_to_shell.deny with input as _image(["RUN /bin/sh -c curl -fsSL https://get.example.com/install.sh | sh # buildkit"])
	count(r) == 1
	r == {"image \"shop/web:1.4\" pipes a download into a shell at build time: RUN /bin/sh -c curl -fsSL https://get.example.com/install.sh | sh # buildkit"}
}

test_wget_pipe_sudo_bash_denied if {
	r := pipe_to_shell.deny with input as {"kind": "image", "image": {"id": "sha256:abc", "history": [{"created_by": "/bin/sh -c wget -qO- https://x.example/i | sudo -E /bin/bash -s --"}]}}
	count(r) == 1
	r == {"image \"sha256:abc\" pipes a download into a shell at build time: /bin/sh -c wget -qO- https://x.example/i | sudo -E /bin/bash -s --"}
}

test_verified_download_allowed if {
	r := pipe_to_shell.deny with input as _image([
		"RUN /bin/sh -c curl -fsSLo /tmp/i.sh https://get.example.com/i.sh && echo \"abc  /tmp/i.sh\" | sha256sum -c - && sh /tmp/i.sh # buildkit",
		"RUN /bin/sh -c curl -s https://example.com/data.json | jq . > /data.json # buildkit",
	])
	count(r) == 0
}
