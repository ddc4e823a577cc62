# METADATA
# title: Rule exceptions
# description: >-
#   Decides whether an entry of data.vigil.exceptions waives a rule for a fact.
#   An entry applies when it names the rule (or "*", or a glob such as
#   "VGL-CTR-*"), carries a non-empty justification, has not expired, and every
#   key of its scope matches the fact's subject. Scope keys: image and
#   container_name (globs, "*" spans "/" and ":"), labels (all must be equal),
#   namespace (Kubernetes namespace, exact) and host (glob on the host name).
#   An unknown scope key never matches, so a misspelt scope cannot widen an
#   exception. A container fact may also carry declared_exceptions, which its
#   manifest declares for itself (the vigil.dev/exceptions annotation or label,
#   read by `vigil scan`): they waive only the rule ids they name exactly, only
#   for that container, and likewise only with a justification and before they
#   expire. The engine applies exceptions centrally; rules never read them.
# scope: package
# custom:
#   library: true
package vigil.lib.exceptions

# excepted is true when some exception entry waives rule_id for fact (the whole
# policy input). today is the evaluation date as "YYYY-MM-DD", supplied by the
# engine because WASM policies have no clock; an entry is valid through the
# day named by the first ten characters of its "expires".
excepted(rule_id, fact, today) if {
	some entry in _entries
	applies(entry, rule_id, subject(fact), today)
}

excepted(rule_id, fact, today) if {
	some entry in _declared(fact)
	_declared_applies(entry, rule_id, today)
}

default _entries := []

_entries := data.vigil.exceptions if is_array(data.vigil.exceptions)

# applies is true when entry waives rule_id for the subject on the date today.
applies(entry, rule_id, subj, today) if {
	_justified(entry)
	_names_rule(entry, rule_id)
	_current(entry, today)
	every key, want in object.get(entry, "scope", {}) {
		_scope_matches(key, want, subj)
	}
}

# _declared returns the exceptions a container's manifest, an image's label or a
# Dockerfile's final-stage LABEL declares for it (only `vigil scan` sets them).
_declared(fact) := fact.container.declared_exceptions if fact.kind == "container"

_declared(fact) := fact.image.declared_exceptions if fact.kind == "image"

_declared(fact) := fact.dockerfile.declared_exceptions if fact.kind == "dockerfile"

default _declared(_) := []

# _declared_applies is true when a declared entry waives rule_id on the date
# today: it names the rule exactly (no globs), is justified and current.
_declared_applies(entry, rule_id, today) if {
	_justified(entry)
	rule_id in object.get(entry, "rules", [])
	_current(entry, today)
}

_justified(entry) if trim_space(object.get(entry, "justification", "")) != ""

_names_rule(entry, rule_id) if {
	some pattern in object.get(entry, "rules", [])
	glob.match(pattern, null, rule_id)
}

_current(entry, _) if object.get(entry, "expires", "") == ""

_current(entry, today) if {
	expires := object.get(entry, "expires", "")
	count(expires) >= 10
	today <= substring(expires, 0, 10)
}

_scope_matches("image", pattern, subj) if {
	some image in subj.images
	glob.match(pattern, null, image)
}

_scope_matches("container_name", pattern, subj) if {
	subj.container_name != ""
	glob.match(trim_prefix(pattern, "/"), null, subj.container_name)
}

_scope_matches("labels", want, subj) if {
	every key, value in want {
		subj.labels[key] == value
	}
}

_scope_matches("namespace", want, subj) if {
	subj.namespace != ""
	subj.namespace == want
}

_scope_matches("host", pattern, subj) if {
	subj.host != ""
	glob.match(pattern, null, subj.host)
}

_runtime_kinds := {"process_exec", "file_access", "network_connection", "privilege_change", "syscall_set"}

# subject extracts what exception scopes match on from a fact of any kind.
subject(fact) := object.union(_base(fact), _subject(fact))

_base(fact) := {
	"images": [],
	"container_name": "",
	"labels": {},
	"namespace": "",
	"host": _source_host(fact),
}

_source_host(fact) := fact.source.host if fact.source.host

default _source_host(_) := ""

_subject(fact) := {
	"images": [fact.container.image],
	"container_name": trim_prefix(fact.container.name, "/"),
	"labels": fact.container.labels,
	"namespace": _k8s_namespace(fact.container),
} if fact.kind == "container"

_subject(fact) := {
	"images": [ref.image],
	"container_name": trim_prefix(ref.name, "/"),
	"namespace": ref.namespace,
} if {
	fact.kind in _runtime_kinds
	ref := fact[fact.kind].container
	ref != null
}

_subject(fact) := {"images": array.concat(fact.image.repo_tags, [fact.image.reference])} if fact.kind == "image"

_subject(fact) := {"host": fact.host.hostname} if {
	fact.kind == "host"
	fact.host.hostname != ""
}

default _subject(_) := {}

_k8s_namespace(c) := c.kubernetes.namespace if c.kubernetes != null

default _k8s_namespace(_) := ""
