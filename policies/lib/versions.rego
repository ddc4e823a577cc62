# METADATA
# title: Package version ordering
# description: >-
#   Versions ordered as each ecosystem's package manager orders them: dpkg's
#   rules for Debian and Ubuntu (epoch, upstream, revision; "~" sorts before
#   everything, letters before other characters, digit runs as numbers), apk's
#   for Alpine, Wolfi and Chainguard (components, one letter, _suffixes with
#   _alpha < _beta < _pre < _rc < none < _cvs < _svn < _git < _hg < _p, then
#   -r revisions), semantic versioning for SEMVER ranges.
# scope: package
# custom:
#   library: true
package vigil.lib.versions

# compare(scheme, a, b) is -1, 0 or 1 as a sorts before, equal to or after b.
# scheme is an OSV ecosystem ("Debian:12", "Alpine:v3.20") or "SEMVER"; an
# ecosystem without rules of its own compares the strings.
compare(scheme, a, b) := dpkg_compare(a, b) if _family(scheme) == "dpkg"

compare(scheme, a, b) := apk_compare(a, b) if _family(scheme) == "apk"

compare(scheme, a, b) := _semver_compare(a, b) if _family(scheme) == "semver"

compare(scheme, a, b) := _order(a, b) if not _family(scheme)

_family(scheme) := "dpkg" if split(scheme, ":")[0] in {"Debian", "Ubuntu"}

_family(scheme) := "apk" if split(scheme, ":")[0] in {"Alpine", "Wolfi", "Chainguard"}

_family(scheme) := "semver" if scheme == "SEMVER"

_order(a, b) := -1 if a < b

_order(a, b) := 1 if a > b

_order(a, b) := 0 if a == b

_semver_compare(a, b) := semver.compare(trim_prefix(a, "v"), trim_prefix(b, "v")) if {
	semver.is_valid(trim_prefix(a, "v"))
	semver.is_valid(trim_prefix(b, "v"))
} else := _order(a, b)

# --- dpkg ---------------------------------------------------------------

dpkg_compare(a, b) := 0 if trim_space(a) == trim_space(b)

dpkg_compare(a, b) := _first_nonzero([
	_order(pa[0], pb[0]),
	_dpkg_part_compare(pa[1], pb[1]),
	_dpkg_part_compare(pa[2], pb[2]),
]) if {
	trim_space(a) != trim_space(b)
	pa := _dpkg_parts(trim_space(a))
	pb := _dpkg_parts(trim_space(b))
}

_first_nonzero(cs) := nonzero[0] if {
	nonzero := [c | some c in cs; c != 0]
	count(nonzero) > 0
} else := 0

# [epoch, upstream, revision]: the epoch is before the first ":", the revision
# after the last "-"; both are optional.
_dpkg_parts(v) := [e[0], r[0], r[1]] if {
	e := _dpkg_epoch(v)
	r := _dpkg_revision(e[1])
}

_dpkg_epoch(v) := [to_number(p[0]), concat(":", array.slice(p, 1, count(p)))] if {
	p := split(v, ":")
	count(p) > 1
	regex.match(`^[0-9]+$`, p[0])
} else := [0, v]

_dpkg_revision(v) := [concat("-", array.slice(p, 0, count(p) - 1)), p[count(p) - 1]] if {
	p := split(v, "-")
	count(p) > 1
} else := [v, ""]

# An upstream version or revision is a run of (non-digits, digits) segments.
# A missing segment compares as an empty one: no characters, the number 0.
_dpkg_part_compare(a, b) := 0 if a == b

_dpkg_part_compare(a, b) := _order(_pad(sa, n), _pad(sb, n)) if {
	a != b
	sa := _dpkg_segments(a)
	sb := _dpkg_segments(b)
	n := max([count(sa), count(sb)])
}

_pad(segments, n) := array.concat(segments, [[[0], [0, ""]] | some _ in numbers.range(1, n - count(segments))]) if {
	n > count(segments)
} else := segments

_dpkg_segments(s) := [] if s == ""

_dpkg_segments(s) := [[_weights(tokens[2 * i]), _number_at(tokens, (2 * i) + 1)] |
	some i in numbers.range(0, ceil(count(tokens) / 2) - 1)
] if {
	s != ""
	tokens := _leading_text(_find(`[0-9]+|[^0-9]+`, s, -1))
}

# Segments start with their non-digit part, which may be empty.
_leading_text(tokens) := array.concat([""], tokens) if regex.match(`^[0-9]`, tokens[0])

_leading_text(tokens) := tokens if not regex.match(`^[0-9]`, tokens[0])

_number_at(tokens, i) := _number(tokens[i]) if i < count(tokens)

_number_at(tokens, i) := [0, ""] if i >= count(tokens)

# Each character's weight, then 0 for the end: "~" sorts before the end, the
# end before letters, letters before everything else.
_weights(s) := [0] if s == ""

_weights(s) := array.concat([_weight(substring(s, i, 1)) | some i in numbers.range(0, count(s) - 1)], [0]) if s != ""

_weight(c) := -1 if c == "~"

_weight(c) := _ascii(c) if regex.match(`^[A-Za-z]$`, c)

_weight(c) := _ascii(c) + 256 if {
	c != "~"
	not regex.match(`^[A-Za-z]$`, c)
}

_printable := " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"

_ascii(c) := indexof(_printable, c) + 32

# --- apk ----------------------------------------------------------------

# A version is a list of [type, value] tokens. When two versions differ first
# in a token's type, apk ranks the one that goes on with the lower type as the
# greater version, except that a pre-release suffix is always the lesser.
_apk_initial := 0

_apk_digit := 1

_apk_letter := 2

_apk_suffix := 3

_apk_suffix_number := 4

_apk_hash := 5

_apk_revision := 6

_apk_end := 7

_apk_invalid := 8

apk_compare(a, b) := 0 if a == b

apk_compare(a, b) := _apk_decide(ta[i], tb[i]) if {
	a != b
	ta := _apk_tokens(a)
	tb := _apk_tokens(b)
	ta != tb
	i := min([j | some j in numbers.range(0, min([count(ta), count(tb)]) - 1); ta[j] != tb[j]])
}

# Different strings, equal tokens: "1.0-r0" and "1.0-r00".
apk_compare(a, b) := 0 if {
	a != b
	_apk_tokens(a) == _apk_tokens(b)
}

# Components with a leading zero compare as strings, others as numbers.
_apk_decide(x, y) := _order(x[1], y[1]) if {
	x[0] == _apk_digit
	y[0] == _apk_digit
	_leading_zero(x[1], y[1])
}

_apk_decide(x, y) := _order(_number(x[1]), _number(y[1])) if {
	x[0] == _apk_digit
	y[0] == _apk_digit
	not _leading_zero(x[1], y[1])
}

_apk_decide(x, y) := _order(x[1], y[1]) if {
	x[0] == y[0]
	x[0] != _apk_digit
}

_apk_decide(x, y) := -1 if {
	x[0] != y[0]
	_apk_pre_release(x)
}

_apk_decide(x, y) := 1 if {
	x[0] != y[0]
	not _apk_pre_release(x)
	_apk_pre_release(y)
}

_apk_decide(x, y) := _order(y[0], x[0]) if {
	x[0] != y[0]
	not _apk_pre_release(x)
	not _apk_pre_release(y)
}

_leading_zero(x, _) if startswith(x, "0")

_leading_zero(_, y) if startswith(y, "0")

_apk_pre_release(token) if {
	token[0] == _apk_suffix
	token[1] < 0
}

# An exact number of any length: digit count, then the digits.
_number(digits) := [count(trimmed), trimmed] if trimmed := trim_left(digits, "0")

# digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-r digits}; whatever
# breaks that grammar is one invalid token, and nothing after it counts.
_apk_grammar := `^([0-9]+)((?:\.[0-9]+)*)([a-z]?)((?:_[a-z]*[0-9]*)*)(~[0-9a-fA-F]+)?(-r[0-9]+)?(.*)$`

_apk_tokens(v) := array.concat(_apk_head(m), _apk_rest(m)) if {
	m := regex.find_all_string_submatch_n(_apk_grammar, v, 1)[0]
} else := [[_apk_invalid, 0]]

_apk_head(m) := array.concat(
	array.concat([[_apk_initial, _number(m[1])]], [[_apk_digit, substring(c, 1, -1)] | some c in _find(`\.[0-9]+`, m[2], -1)]),
	[[_apk_letter, l] | some l in [m[3]]; l != ""],
)

_apk_rest(m) := array.concat(array.slice(suffixes, 0, i), [[_apk_invalid, 0]]) if {
	suffixes := _apk_suffix_tokens(m[4])
	i := min([j | some j, t in suffixes; t[0] == _apk_invalid])
} else := array.concat(_apk_suffix_tokens(m[4]), _apk_tail(m))

_apk_suffix_tokens(s) := [t |
	some part in regex.find_all_string_submatch_n(`_([a-z]*)([0-9]*)`, s, -1)
	some t in _apk_suffix_parts(part[1], part[2])
]

_apk_suffix_parts(name, _) := [[_apk_invalid, 0]] if not _apk_suffix_rank[name]

_apk_suffix_parts(name, "") := [[_apk_suffix, _apk_suffix_rank[name]]]

_apk_suffix_parts(name, digits) := [[_apk_suffix, _apk_suffix_rank[name]], [_apk_suffix_number, _number(digits)]] if digits != ""

# Pre-release suffixes rank below none (0 would be a plain release); the rest above.
_apk_suffix_rank := {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}

_apk_tail(m) := array.concat(
	array.concat([[_apk_hash, h] | some h in [substring(m[5], 1, -1)]; h != ""], [[_apk_revision, _number(r)] | some r in [substring(m[6], 2, -1)]; r != ""]),
	[_apk_end_token(m[7])],
)

_apk_end_token("") := [_apk_end, 0]

_apk_end_token(rest) := [_apk_invalid, 0] if rest != ""

# regex.find_n, through the regex built-in that OPA compiles into WASM itself.
_find(pattern, s, n) := [m[0] | some m in regex.find_all_string_submatch_n(pattern, s, n)]
