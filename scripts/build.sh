#!/usr/bin/env bash
# Builds everything from source: proto codecs and schemas, TypeScript, and the
# default policy bundle (policies/ → dist/policies/bundle.tar.gz via `opa build -t wasm`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VIGIL_ROOT"
NODE="$(vigil_node)"
export PATH="$(vigil_bin_dir):$PATH"

mkdir -p proto/gen
if [ ! -f proto/gen/vigil.js ] || [ proto/vigil/v1/vigil.proto -nt proto/gen/vigil.js ]; then
  "$NODE" node_modules/protobufjs-cli/bin/pbjs -t static-module -w es6 --keep-case --force-number \
    -o proto/gen/vigil.js proto/vigil/v1/vigil.proto
  "$NODE" node_modules/protobufjs-cli/bin/pbts -o proto/gen/vigil.d.ts proto/gen/vigil.js
fi
"$NODE" proto/scripts/gen-schemas.mjs

"$NODE" node_modules/typescript/bin/tsc -p tsconfig.json
mkdir -p dist/proto/gen
cp proto/gen/vigil.js dist/proto/gen/vigil.js

if [ -f dist/cli/src/main.js ]; then
  "$NODE" bin/vigil.js policy build --quiet
fi
