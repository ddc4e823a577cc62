package vigil.dockerfile.pipe_to_shell_test

import data.vigil.dockerfile.pipe_to_shell

_i(keyword, arguments, line) := {"keyword": keyword, "arguments": arguments, "exec_form": [], "flags": [], "heredocs": [], "variables": {}, "line": line}

_stage(base, line, instructions) := {"name": "", "base": base, "base_stage": "", "line": line, "instructions": instructions}

_df(stages) := {"kind": "dockerfile", "dockerfile": {"path": "app/Dockerfile", "stages": stages}}

test_curl_pipe_sh_denied if {
	r := pipe_to_shell.deny with input as _df([_stage("debian:12", 1, [_i("RUN", "curl -fsSL https://get.example.com | sh", 9)])])
	r == {{"msg": "Dockerfile \"app/Dockerfile\": RUN pipes a download into a shell: curl -fsSL https://get.example.com | sh", "line": 9}}
}

test_exec_form_judged if {
	run := object.union(_i("RUN", "", 4), {"exec_form": ["/bin/sh", "-c", "wget -qO- https://x.example/i | bash"]})
	count(pipe_to_shell.deny) == 1 with input as _df([_stage("debian:12", 1, [run])])
}

test_download_to_file_allowed if {
	count(pipe_to_shell.deny) == 0 with input as _df([_stage("debian:12", 1, [_i("RUN", "curl -fsSLo /tmp/i.sh https://x/i.sh && sha256sum -c sums", 2)])])
}
