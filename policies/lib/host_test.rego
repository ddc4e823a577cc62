package vigil.lib.host_test

import data.vigil.lib.host

test_display_name if {
	host.display_name({"hostname": "node-1"}) == "node-1"
	host.display_name({"hostname": ""}) == "<unknown host>"
}

test_existing_files if {
	files := host.existing_files({"files": [{"path": "/a", "exists": true}, {"path": "/b", "exists": false}]})
	files == [{"path": "/a", "exists": true}]
}

test_owner if {
	host.owner({"owner": "root", "uid": 0, "group": "docker", "gid": 998}) == "root:docker"
	host.owner({"owner": "", "uid": 1000, "group": "", "gid": 1001}) == "1000:1001"
}

test_octal if {
	host.octal(420) == "0644"
	host.octal(432) == "0660"
	host.octal(3583) == "6777"
	host.octal(0) == "0000"
}
