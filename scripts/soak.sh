#!/usr/bin/env bash
# Runs the engine fault suite (test/reliability.test.ts) N times in a row on a
# fresh clone of this repository's HEAD and prints each run's counts. Not part of
# .ci/run: ten runs take about 40 minutes on 2 cores.
#
#   bash scripts/soak.sh [N]          default N=10
#
# A fresh clone so nothing warm from this checkout (dist/, .cache/) takes part;
# node_modules and the tool cache are set up in it by scripts/setup.sh as in CI.
# Exits non-zero when any run has a failed test.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs="${1:-10}"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: soak.sh [N] (N: runs, a whole number, at least 1; actual: $runs)" >&2; exit 2; }

work="$(mktemp -d /tmp/vigil-soak-XXXXXX)"
git clone --quiet "$VIGIL_ROOT" "$work/vigil"
cd "$work/vigil"
bash scripts/setup.sh --test >"$work/setup.log" 2>&1 || { echo "set-up failed: $work/setup.log" >&2; tail -20 "$work/setup.log" >&2; exit 2; }
NODE="$(vigil_node)"
export PATH="$(vigil_bin_dir):$PATH"

bad=0
for i in $(seq 1 "$runs"); do
  results="$work/run-$i.json"
  start=$SECONDS
  counts="$work/run-$i.counts"
  VIGIL_FAULT_COUNTS="$counts" TESTCONTAINERS_RYUK_DISABLED=true timeout --kill-after=30s 20m \
    "$NODE" --experimental-vm-modules node_modules/jest/bin/jest.js --ci --forceExit \
    --json --outputFile="$results" dist/test/reliability >"$work/run-$i.log" 2>&1
  # One line per run: tests passed/failed, and per test its result and any assertion's first line.
  "$NODE" -e '
    const fs = require("node:fs");
    const [file, run, secs] = process.argv.slice(1);
    let r;
    try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch { console.log(`run ${run}: no results (see ${file.replace(/json$/, "log")})`); process.exit(1); }
    console.log(`run ${run}: ${r.numPassedTests} passed, ${r.numFailedTests} failed (${secs} s)`);
    for (const suite of r.testResults) for (const t of suite.assertionResults) {
      const why = t.status === "passed" ? "" : "  " + (t.failureMessages[0] ?? "").split("\n").slice(0, 6).join(" | ");
      console.log(`  ${t.status.padEnd(6)} ${t.title}${why}`);
    }
    process.exit(r.numFailedTests + r.numRuntimeErrorTestSuites > 0 || r.numTotalTests === 0 ? 1 : 0);
  ' "$results" "$i" "$((SECONDS - start))" || bad=$((bad + 1))
  [ -f "$counts" ] && sed 's/^/    /' "$counts"
done
echo "soak: $((runs - bad)) of $runs runs passed (logs in $work)"
[ "$bad" -eq 0 ]
