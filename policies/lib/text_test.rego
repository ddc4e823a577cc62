package vigil.lib.text_test

import data.vigil.lib.text

test_quote if {
	text.quote("web") == "\"web\""
	text.quote("") == "\"\""
	sprintf("container %s runs", [text.quote("/etc")]) == "container \"/etc\" runs"
}
