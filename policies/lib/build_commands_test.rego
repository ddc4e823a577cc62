package vigil.lib.build_commands_test

import data.vigil.lib.build_commands

test_pipes_download_to_shell if {
	build_commands.pipes_download_to_shell("curl -fsSL https://get.example.com | sudo -E bash -")
	not build_commands.pipes_download_to_shell("curl -s https://example.com/data.json | jq .")
}

test_updates_index_alone if {
	build_commands.updates_index_alone("apt-get update")
	not build_commands.updates_index_alone("apt-get update && apt-get install -y curl")
}

test_uses_sudo if {
	build_commands.uses_sudo("sudo apt-get install -y curl")
	build_commands.uses_sudo("make && sudo make install")
	not build_commands.uses_sudo("apt-get install -y sudo")
	not build_commands.uses_sudo("apt-get install -y sudo curl")
	build_commands.uses_sudo("if true; then sudo id; fi")
	not build_commands.uses_sudo("cp /etc/sudoers.d/x /tmp")
}

test_credential_name if {
	build_commands.credential_name("DB_PASSWORD")
	build_commands.credential_name("GITHUB_TOKEN")
	not build_commands.credential_name("DB_PASSWORD_FILE")
	not build_commands.credential_name("PATH")
}
