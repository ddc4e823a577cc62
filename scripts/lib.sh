# Shared by the set-up, build and test scripts. Source it; it defines no side effects.
VIGIL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tools live outside the checkout so that fresh clones on the same machine reuse them.
VIGIL_CACHE="${VIGIL_CACHE:-$HOME/.cache/vigil}"
VIGIL_NODE_MAJOR=24
VIGIL_NODE_MIN="22.22.0"
OPA_VERSION="v1.22.2"
NATS_SERVER_VERSION="v2.15.2"
# Used for `npm ci` only when the machine's npm rejects the lockfile (see setup.sh).
NPM_FALLBACK_VERSION="10.9.9"

version_at_least() { # version_at_least HAVE WANT
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# Prints the path of a Node.js binary that meets VIGIL_NODE_MIN, or the system node as a last resort.
vigil_node() {
  local own="$VIGIL_CACHE/node$VIGIL_NODE_MAJOR/node_modules/node/bin/node"
  if [ -n "${VIGIL_NODE:-}" ]; then echo "$VIGIL_NODE"; return; fi
  local sys
  sys="$(command -v node || true)"
  if [ -n "$sys" ] && version_at_least "$("$sys" -p process.versions.node)" "$VIGIL_NODE_MIN"; then
    echo "$sys"; return
  fi
  if [ -x "$own" ]; then echo "$own"; return; fi
  echo "${sys:-node}"
}

vigil_bin_dir() { echo "$VIGIL_CACHE/bin"; }

# Local test images, built by `scripts/setup.sh --test` (no registry is needed or used).
VIGIL_BUSYBOX_IMAGE="vigil-test/busybox:1"
VIGIL_NATS_IMAGE="vigil-test/nats:${NATS_SERVER_VERSION#v}"
# Minimal Node bases made from this machine's files by deploy/images/make-base.sh, and the Vigil
# images deploy/images/build.sh builds on them (both run by `scripts/setup.sh --test`).
VIGIL_NODE_BASE_IMAGE="vigil-test/node-base:$VIGIL_NODE_MAJOR"
VIGIL_NODE_BPFTRACE_BASE_IMAGE="vigil-test/node-base:$VIGIL_NODE_MAJOR-bpftrace"
VIGIL_ENGINE_IMAGE="vigil/engine:dev"
VIGIL_COLLECTOR_IMAGE="vigil/collector:dev"
# Bump when the contents of a test image change, so that set-up rebuilds it.
VIGIL_TEST_IMAGE_REVISION="2"

# One short line per step: `vigil_step node "ok (v24.1.0)"`.
vigil_step() { printf '%-10s %s\n' "$1:" "$2"; }

# Stops with a message a person can act on.
vigil_die() { printf 'error: %s\n' "$*" >&2; exit 1; }
