#!/usr/bin/env bash
# The whole test gate. Run `bash scripts/setup.sh --test` first (npm test does both).
#
#   0. the packages' doors (scripts/check-doors.mjs): no import past one
#   1. policy gate, each step one test: opa fmt, opa check --strict --schema, opa test,
#      and policy line coverage ≥ VIGIL_COVERAGE_MIN % (default 95; 0 turns the check off)
#   2. jest over dist/ (the compiled TypeScript tests), results in .cache/jest-results.json
#
# The last line printed is always "N passed, N failed"; the exit status is non-zero on any failure.
# Env: VIGIL_COVERAGE_MIN (default 95), VIGIL_JEST_TIMEOUT (whole jest run, default 40m: 21 to 25 on a 2-core machine),
#      VIGIL_JEST_ARGS (extra jest arguments, e.g. a path filter such as dist/test/harness).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VIGIL_ROOT"
export PATH="$(vigil_bin_dir):$PATH"

NODE="$(vigil_node)"
COVERAGE_MIN="${VIGIL_COVERAGE_MIN:-95}"
passed=0
failed=0
failures=()

pass() { passed=$((passed + 1)); printf 'PASS  %s\n' "$1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); printf 'FAIL  %s\n' "$1"; }

# gate NAME COMMAND...: one test that passes when COMMAND exits 0.
gate() {
  local name="$1"; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

# --- 0. doors ---------------------------------------------------------------------------------
gate "doors - every import across packages through its door" "$NODE" scripts/check-doors.mjs

# --- 1. policy gate ---------------------------------------------------------------------------
echo "== policies (opa $(opa version 2>/dev/null | sed -n 's/^Version: *//p'))"

policy_fmt() {
  local changed
  changed="$(opa fmt --list policies)" || return 1
  [ -z "$changed" ] && return 0
  echo "not formatted (fix with: opa fmt -w policies):"
  echo "$changed"
  opa fmt --diff policies
  return 1
}

policy_test() {
  local out rc=0
  out="$(opa test --ignore examples policies 2>&1)" || rc=$?
  printf '%s\n' "$out"
  if [ "$rc" -eq 0 ] && ! grep -q '^PASS: ' <<<"$out"; then
    echo "no Rego tests found under policies/"
    return 1
  fi
  return "$rc"
}

policy_coverage() {
  local report percent
  # Exits non-zero when a test fails, but still reports coverage; no JSON means nothing loaded.
  report="$(opa test --coverage --ignore examples policies 2>/dev/null)"
  percent="$("$NODE" -e '
    let report;
    try { report = JSON.parse(require("node:fs").readFileSync(0, "utf8")); } catch { process.exit(1); }
    const low = Object.entries(report.files ?? {})
      .filter(([, f]) => (f.coverage ?? 100) < 100)
      .map(([name, f]) => `  ${name}: ${Number(f.coverage).toFixed(1)}%`);
    if (low.length > 0) console.error("files below 100%:\n" + low.join("\n"));
    console.log(Number(report.coverage ?? 0).toFixed(1));
  ' <<<"$report")" || { echo "no coverage report: opa could not load policies/ (see opa test above)"; return 1; }
  echo "policy line coverage: $percent% (minimum: $COVERAGE_MIN%, VIGIL_COVERAGE_MIN)"
  "$NODE" -e 'process.exit(Number(process.argv[1]) + 1e-9 >= Number(process.argv[2]) ? 0 : 1)' \
    "$percent" "$COVERAGE_MIN"
}

if command -v opa >/dev/null; then
  gate "policies - opa fmt" policy_fmt
  gate "policies - opa check --strict --schema proto/schemas" opa check --strict --schema proto/schemas policies
  gate "policies - opa test" policy_test
  gate "policies - line coverage ≥ $COVERAGE_MIN%" policy_coverage
else
  echo "opa is not on PATH nor in $(vigil_bin_dir): run bash scripts/setup.sh"
  fail "policies - opa available"
fi

# --- 2. jest ---------------------------------------------------------------------------------
echo "== jest"
results=.cache/jest-results.json
mkdir -p .cache
rm -f "$results"
# Ryuk (the testcontainers reaper) is a registry image: not available here; the harness cleans up.
# --forceExit: a leaked handle in one test must not hang CI; the timeout bounds the whole run.
# shellcheck disable=SC2086
TESTCONTAINERS_RYUK_DISABLED=true timeout --kill-after=30s "${VIGIL_JEST_TIMEOUT:-40m}" \
  "$NODE" --experimental-vm-modules node_modules/jest/bin/jest.js --ci --forceExit \
  --json --outputFile="$results" ${VIGIL_JEST_ARGS:-}
jest_rc=$?

if [ -s "$results" ] && read -r jest_passed jest_failed jest_broken jest_total < <("$NODE" -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests, r.numRuntimeErrorTestSuites, r.numTotalTests);
  ' "$results"); then
  passed=$((passed + jest_passed))
  failed=$((failed + jest_failed + jest_broken))
  [ "$jest_failed" -gt 0 ] && failures+=("jest - $jest_failed failed tests")
  [ "$jest_broken" -gt 0 ] && failures+=("jest - $jest_broken test files did not run (runtime error)")
  if [ "$jest_total" -eq 0 ]; then
    fail "jest - found no tests under dist/ (did the build run?)"
  elif [ "$jest_rc" -ne 0 ] && [ "$((jest_failed + jest_broken))" -eq 0 ]; then
    fail "jest - exited with status $jest_rc although every test passed"
  fi
else
  case "$jest_rc" in
    124|137) fail "jest - did not finish within ${VIGIL_JEST_TIMEOUT:-40m}" ;;
    *) fail "jest - exited with status $jest_rc and wrote no results to $results" ;;
  esac
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
