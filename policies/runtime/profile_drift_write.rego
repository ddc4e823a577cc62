# METADATA
# title: File write outside the learned workload profile
# description: >-
#   A process in a container wrote (opened for writing, truncated, removed, renamed or
#   changed the mode of) a path that matches no key of the writes section of the
#   workload's learned profile (data.vigil.profiles[container.workload], learned and
#   enforcing). Keys are exact paths or patterns with one *, which stays within
#   one path segment (as the learner folds them); other characters are literal. Only writes
#   the runtime collector reports are judged: its kernel filter passes writes under
#   the write_paths other rules declare (/etc, binary and library directories,
#   /var/log, ...).
# scope: package
# schemas:
#   - input: schema.fact
# custom:
#   id: VGL-RUN-048
#   kind: file_access
#   severity: MEDIUM
#   maturity: stable
#   recommended_action: "If the write is a legitimate change of the workload approve it (vigil profile approve WORKLOAD writes:PATH, or a pattern such as writes:/tmp/app-*); otherwise check what the process changed and why."
#   frameworks:
#     mitre: ["T1565.001", "T1546"]
#   tags: ["would-block", "apparmor"]
package vigil.runtime.profile_drift_write

import data.vigil.lib.event

deny contains msg if {
	fact := input.file_access
	fact.write == true
	profile := event.learned_profile(fact.container)
	writes := profile.writes
	not _known(writes, fact.path)
	p := fact.process
	msg := event.learned_drift(fact.container, profile, sprintf("wrote %s (%s, pid %d)", [fact.path, event.exe(p), p.pid]))
}

# _known: an exact key first, else a key with one * (prefix*suffix, the * not
# crossing "/"), the patterns the learner folds changing names into.
_known(writes, path) if {
	_ = writes[path]
} else if {
	some pattern, _ in writes
	parts := split(pattern, "*")
	count(parts) == 2
	startswith(path, parts[0])
	endswith(path, parts[1])
	middle_length := (count(path) - count(parts[0])) - count(parts[1])
	middle_length >= 0
	not contains(substring(path, count(parts[0]), middle_length), "/")
}
