#!/usr/bin/env bash
# Builds the Vigil images from the built repository (run `npm run build` first).
#
#   bash deploy/images/build.sh [--base IMAGE] [--collector-base IMAGE]
#                               [--engine-tag TAG] [--collector-tag TAG] [--if-changed]
#
#   --base            Node.js image for both (default node:24-bookworm-slim)
#   --collector-base  Node.js image with bpftrace for the collector (default: --base)
#   --engine-tag      default vigil/engine:dev
#   --collector-tag   default vigil/collector:dev
#   --if-changed      do nothing when both images carry the hash of the current inputs
#
# Stages the build context in .cache/images/context: package.json, bin/, the runtime part of dist/
# (no tests, benchmarks or source maps), policies/, proto/schemas/ and node_modules without dev
# dependencies (`npm prune --omit=dev --offline` on a copy, cached per package-lock.json). Then
# `docker build` of deploy/images/Dockerfile, targets engine and collector. Works with the legacy
# builder (Docker 20.10 without BuildKit) and with BuildKit. Each image gets the label
# vigil.inputs=<hash of the staged inputs and the base image ids>. Prints one line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$VIGIL_ROOT"

base="node:24-bookworm-slim" collector_base="" engine_tag="$VIGIL_ENGINE_IMAGE" collector_tag="$VIGIL_COLLECTOR_IMAGE"
if_changed=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --base) base="${2:?--base needs an image}"; shift ;;
    --collector-base) collector_base="${2:?--collector-base needs an image}"; shift ;;
    --engine-tag) engine_tag="${2:?--engine-tag needs a tag}"; shift ;;
    --collector-tag) collector_tag="${2:?--collector-tag needs a tag}"; shift ;;
    --if-changed) if_changed=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) vigil_die "unknown argument '$1' (see: bash deploy/images/build.sh --help)" ;;
  esac
  shift
done
collector_base="${collector_base:-$base}"

[ -f dist/cli/src/main.js ] && [ -f dist/policies/bundle.tar.gz ] \
  || vigil_die "dist/ is not built (no dist/cli/src/main.js or dist/policies/bundle.tar.gz): run 'npm run build'"
for image in "$base" "$collector_base"; do
  docker image inspect "$image" >/dev/null 2>&1 \
    || vigil_die "base image $image is not present locally: 'docker pull $image', or build a local one with deploy/images/make-base.sh"
done

# Runtime files of dist/: everything but tests, benchmarks and source maps.
runtime_dist() {
  find dist -type f ! -name '*.map' ! -path 'dist/test/*' ! -path 'dist/bench/*' ! -path 'dist/*/test/*' | LC_ALL=C sort
}

inputs_hash() {
  {
    docker image inspect --format '{{.Id}}' "$base" "$collector_base"
    sha256sum deploy/images/Dockerfile deploy/images/build.sh package.json package-lock.json bin/vigil.js
    runtime_dist | xargs -d '\n' sha256sum
    find policies proto/schemas -type f | LC_ALL=C sort | xargs -d '\n' sha256sum
  } | sha256sum | cut -c1-16
}

label() { docker image inspect --format '{{index .Config.Labels "vigil.inputs"}}' "$1" 2>/dev/null || true; }

hash="$(inputs_hash)"
if [ "$if_changed" -eq 1 ] && [ "$(label "$engine_tag")" = "$hash" ] && [ "$(label "$collector_tag")" = "$hash" ]; then
  echo "ok ($engine_tag, $collector_tag)"
  exit 0
fi

# Production node_modules, cached per lockfile: the prune takes seconds, the copy is what costs.
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
modules="$VIGIL_ROOT/.cache/images/node_modules-$lock_hash"
if [ ! -d "$modules/node_modules" ]; then
  rm -rf "$VIGIL_ROOT"/.cache/images/node_modules-*
  mkdir -p "$modules"
  cp package.json package-lock.json "$modules/"
  cp -a node_modules "$modules/node_modules"
  (cd "$modules" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null) \
    || { rm -rf "$modules"; vigil_die "npm prune --omit=dev failed in $modules"; }
  find "$modules/node_modules" -mindepth 1 -type d -empty -delete
fi

context="$VIGIL_ROOT/.cache/images/context"
rm -rf "$context"
mkdir -p "$context"
cp package.json "$context/"
cp -r bin "$context/"
# Policy sources without their tests and examples: test data (fake keys among it) has no place in an image.
find policies -type f ! -name '*_test.rego' ! -path 'policies/examples/*' | LC_ALL=C sort | while read -r file; do
  mkdir -p "$context/$(dirname "$file")"
  cp "$file" "$context/$file"
done
mkdir -p "$context/proto"
cp -r proto/schemas "$context/proto/schemas"
runtime_dist | while read -r file; do
  mkdir -p "$context/$(dirname "$file")"
  cp "$file" "$context/$file"
done
cp -a "$modules/node_modules" "$context/node_modules"
# Nothing in /app is writable at run time; the engine's uid does not own it either.
chmod -R u=rwX,go=rX "$context"

# BuildKit when the client has it (buildx); otherwise the legacy builder, which Docker 20.10's
# client uses by default and a newer client without buildx needs to be told to use.
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi
build() { # build TARGET TAG
  local log="$VIGIL_ROOT/.cache/images/build-$1.log"
  if ! docker build --quiet \
    --file deploy/images/Dockerfile --target "$1" \
    --build-arg "BASE=$base" --build-arg "COLLECTOR_BASE=$collector_base" \
    --label "vigil.inputs=$hash" --tag "$2" "$context" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    vigil_die "docker build --target $1 failed: see $log"
  fi
}
old="$(docker image inspect --format '{{.Id}}' "$engine_tag" "$collector_tag" 2>/dev/null || true)"
build engine "$engine_tag"
build collector "$collector_tag"
rm -rf "$context"
# The images these replace, and the leftovers of the app stage: only Vigil's, never a prune.
new="$(docker image inspect --format '{{.Id}}' "$engine_tag" "$collector_tag")"
for id in $old $(docker image ls --quiet --no-trunc --filter dangling=true --filter label=vigil.build.stage=app); do
  grep -qF "$id" <<<"$new" || docker image rm "$id" >/dev/null 2>&1 || true
done
size() { docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%d MB", $1 / 1000000 }'; }
echo "built $engine_tag ($(size "$engine_tag")), $collector_tag ($(size "$collector_tag"))"
