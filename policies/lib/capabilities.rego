# METADATA
# title: Linux capability helpers
# description: >-
#   Normalises capability names as Docker, Kubernetes and procfs spell them
#   ("CAP_SYS_ADMIN", "sys_admin", "SYS_ADMIN") to one form: upper case, no CAP_ prefix.
# scope: package
# custom:
#   library: true
package vigil.lib.capabilities

# normalize("cap_sys_admin") == "SYS_ADMIN"
normalize(cap) := trim_prefix(upper(trim_space(cap)), "CAP_")

# normalize_all turns a list of capability names into a set of normalised names.
normalize_all(caps) := {normalize(cap) | some cap in caps}

# drops_all is true when the configured drop list contains ALL.
drops_all(cap_drop) if "ALL" in normalize_all(cap_drop)

# names joins a set of normalised capabilities, sorted, for messages.
names(caps) := concat(", ", sort(caps))
