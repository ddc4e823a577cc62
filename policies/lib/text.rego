# METADATA
# title: Message text helpers
# description: >-
#   Formatting that behaves the same under `opa eval` and in the compiled WASM
#   bundle. The opa-wasm SDK implements sprintf with sprintf-js, which rejects
#   Go's %q verb ("unexpected placeholder"), so rules quote with quote() and %s.
# scope: package
# custom:
#   library: true
package vigil.lib.text

# quote wraps s in double quotes: quote("web") == "\"web\"".
quote(s) := concat("", ["\"", s, "\""])
