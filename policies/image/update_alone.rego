# METADATA
# title: Package index update without install in the same RUN
# description: >-
#   A RUN instruction refreshes the package index (apt-get update, apk update,
#   yum/dnf update or makecache, zypper refresh) without installing in the same
#   instruction. The build cache keeps the stale index layer, so later installs
#   get outdated, possibly vulnerable package versions. Read from the image history;
#   metadata-only (#(nop)) entries are ignored.
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-IMG-003
#   kind: image
#   severity: LOW
#   maturity: stable
#   recommended_action: Update and install in one RUN (RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*).
#   frameworks:
#     cis-docker: ["4.7"]
package vigil.image.update_alone

import data.vigil.lib.build_commands
import data.vigil.lib.image
import data.vigil.lib.text

deny contains msg if {
	some entry in input.image.history
	cmd := entry.created_by
	not contains(cmd, "#(nop)")
	build_commands.updates_index_alone(cmd)
	msg := sprintf("image %s updates the package index without installing in the same RUN: %s", [text.quote(image.display_name(input.image)), substring(cmd, 0, 160)])
}
