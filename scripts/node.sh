#!/usr/bin/env bash
# Runs Node.js ≥ 22.22: the machine's when it is new enough, otherwise the
# Node 24 that scripts/setup.sh installs from the npm registry.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
exec "$(vigil_node)" "$@"
