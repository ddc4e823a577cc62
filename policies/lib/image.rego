# METADATA
# title: Image fact helpers
# description: >-
#   Shared reading of an ImageFact: the name to show in messages.
# scope: package
# custom:
#   library: true
package vigil.lib.image

# display_name names an image for messages: the reference it was scanned by
# (tag, tarball path, ...), else its id.
display_name(img) := img.reference if {
	img.reference != ""
} else := img.id
