#!/usr/bin/env bash
# Prepares this machine to build and run Vigil; with --test, also to run its tests.
#
#   bash scripts/setup.sh          Node ≥ 22.22, npm packages, opa, nats-server, build
#   bash scripts/setup.sh --test   ... plus Docker (runc + gVisor runsc), docker-compose, bpftrace, apparmor_parser,
#                                  tracefs, / as a shared mount, the local test images
#                                  vigil-test/busybox:1 and vigil-test/nats:<v>, and the Vigil
#                                  images vigil/engine:dev and vigil/collector:dev
#
# Idempotent: every step checks first and does nothing slow when it is already done.
# Needs root for --test (apt-get, dockerd, mount). Prints one line per step; on failure, a message
# saying what to do (and, with --test, "0 passed, 1 failed" as the last line, like scripts/test.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VIGIL_ROOT"

with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) with_test=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) vigil_die "unknown argument '$arg' (expected: --test)" ;;
  esac
done

# Under --test the caller is the test gate, whose last line is always "N passed, N failed":
# a set-up that cannot finish counts as one failed test.
if [ "$with_test" -eq 1 ]; then
  trap 'status=$?; if [ "$status" -ne 0 ]; then echo "0 passed, 1 failed"; fi; exit "$status"' EXIT
fi

BIN_DIR="$(vigil_bin_dir)"
mkdir -p "$BIN_DIR"
export PATH="$BIN_DIR:$PATH"

# --- Node.js ≥ VIGIL_NODE_MIN --------------------------------------------------------------
setup_node() {
  local node version
  node="$(vigil_node)"
  version="$("$node" -p process.versions.node 2>/dev/null || true)"
  if [ -n "$version" ] && version_at_least "$version" "$VIGIL_NODE_MIN"; then
    vigil_step node "ok (v$version, $node)"
    return
  fi
  command -v npm >/dev/null || vigil_die "node v${version:-none} is older than $VIGIL_NODE_MIN and npm is missing: install Node.js ≥ $VIGIL_NODE_MIN"
  local prefix="$VIGIL_CACHE/node$VIGIL_NODE_MAJOR"
  npm install --prefix "$prefix" --no-save --loglevel=error "node@$VIGIL_NODE_MAJOR" >/dev/null \
    || vigil_die "could not install node@$VIGIL_NODE_MAJOR from the npm registry into $prefix"
  node="$(vigil_node)"
  version="$("$node" -p process.versions.node 2>/dev/null || true)"
  if [ -z "$version" ] || ! version_at_least "$version" "$VIGIL_NODE_MIN"; then
    vigil_die "installed node@$VIGIL_NODE_MAJOR into $prefix but '$node' does not run as Node ≥ $VIGIL_NODE_MIN (got '${version:-nothing}')"
  fi
  vigil_step node "installed v$version ($node)"
}

# --- npm packages ------------------------------------------------------------------------------
# npm ≥ 11.16 rejects in `npm ci` the lockfiles its own `npm install` writes when a package has
# optional per-platform builds ("Missing: @unrs/resolver-binding-... from lock file",
# https://github.com/npm/cli/issues/9846). npm 10 installs the same lockfile faithfully, so it is
# the fallback for exactly that error.
npm_fallback() {
  local prefix="$VIGIL_CACHE/npm$NPM_FALLBACK_VERSION" cli
  cli="$prefix/node_modules/npm/bin/npm-cli.js"
  if [ ! -f "$cli" ]; then
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "npm@$NPM_FALLBACK_VERSION" >/dev/null \
      || vigil_die "could not install npm@$NPM_FALLBACK_VERSION from the npm registry into $prefix"
  fi
  "$(vigil_node)" "$cli" "$@"
}

setup_npm() {
  # npm writes node_modules/.package-lock.json on every install: it dates node_modules.
  local stamp=node_modules/.package-lock.json out how="npm ci"
  if [ -f "$stamp" ] && ! [ package-lock.json -nt "$stamp" ]; then
    vigil_step npm ok
    return
  fi
  # Run npm under the new Node so install scripts (and native builds) see it.
  local node_dir
  node_dir="$(dirname "$(vigil_node)")"
  export PATH="$node_dir:$PATH"
  if ! out="$(npm ci --no-audit --no-fund --loglevel=error 2>&1)"; then
    if grep -q 'from lock file' <<<"$out"; then  # npm 10 still checks the lockfile is in sync
      how="npm $NPM_FALLBACK_VERSION ci; npm $(npm -v) rejects its own lockfile, npm/cli#9846"
      out="$(npm_fallback ci --no-audit --no-fund --loglevel=error 2>&1)" \
        || { printf '%s\n' "$out" >&2; vigil_die "npm ci (npm $NPM_FALLBACK_VERSION) failed"; }
    else
      printf '%s\n' "$out" >&2
      vigil_die "npm ci failed (package.json and package-lock.json out of sync? run 'npm install' and commit the lockfile)"
    fi
  fi
  touch "$stamp"
  vigil_step npm "installed ($how)"
}

# --- Go tools: opa, nats-server -----------------------------------------------------------------
go_bin() {
  if command -v go >/dev/null; then command -v go; return; fi
  if [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go; return; fi
  vigil_die "go is not on PATH (nor /usr/local/go/bin/go): install Go to build $1"
}

setup_opa() {
  local have
  have="$("$BIN_DIR/opa" version 2>/dev/null | sed -n 's/^Version: *//p' || true)"
  if [ "v$have" = "$OPA_VERSION" ]; then vigil_step opa "ok ($OPA_VERSION)"; return; fi
  GOBIN="$BIN_DIR" "$(go_bin opa)" install "github.com/open-policy-agent/opa@$OPA_VERSION" \
    || vigil_die "go install github.com/open-policy-agent/opa@$OPA_VERSION failed"
  have="$("$BIN_DIR/opa" version 2>/dev/null | sed -n 's/^Version: *//p' || true)"
  [ "v$have" = "$OPA_VERSION" ] || vigil_die "built opa but '$BIN_DIR/opa version' says '${have:-nothing}', expected $OPA_VERSION"
  vigil_step opa "installed $OPA_VERSION ($BIN_DIR/opa)"
}

setup_nats_server() {
  local have
  have="$("$BIN_DIR/nats-server" --version 2>/dev/null | sed -n 's/^nats-server: *//p' || true)"
  if [ "$have" = "$NATS_SERVER_VERSION" ]; then vigil_step nats "ok ($NATS_SERVER_VERSION)"; return; fi
  # Static (CGO off) so the same binary also runs alone in the scratch test image.
  CGO_ENABLED=0 GOBIN="$BIN_DIR" "$(go_bin nats-server)" install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION" \
    || vigil_die "go install github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION failed"
  have="$("$BIN_DIR/nats-server" --version 2>/dev/null | sed -n 's/^nats-server: *//p' || true)"
  [ "$have" = "$NATS_SERVER_VERSION" ] || vigil_die "built nats-server but it reports '${have:-nothing}', expected $NATS_SERVER_VERSION"
  vigil_step nats "installed $NATS_SERVER_VERSION ($BIN_DIR/nats-server)"
}

# --- build -----------------------------------------------------------------------------------
setup_build() {
  local log="$VIGIL_ROOT/.cache/build.log"
  mkdir -p "$(dirname "$log")"
  if ! bash scripts/build.sh >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    vigil_die "build failed: see $log (or run 'bash scripts/build.sh')"
  fi
  vigil_step build ok
}

# --- test prerequisites (--test) -----------------------------------------------------------------
# Kubernetes' own Pod Security admission library, the reference of test/pss-differential.test.ts.
setup_pss_reference() {
  local src="$VIGIL_ROOT/test/pss/reference" out="$BIN_DIR/pss-reference"
  if [ -x "$out" ] && [ -z "$(find "$src" -newer "$out" -type f 2>/dev/null)" ]; then vigil_step pss "ok ($out)"; return; fi
  (cd "$src" && GOFLAGS=-mod=mod "$(go_bin pss-reference)" build -o "$out" .) >/dev/null 2>&1 \
    || vigil_die "go build of test/pss/reference (k8s.io/pod-security-admission) failed: run 'cd test/pss/reference && go build .' to see why"
  vigil_step pss "built $out (k8s.io/pod-security-admission $(sed -n 's/^\tk8s.io\/pod-security-admission //p' "$src/go.mod"))"
}

setup_packages() {
  local wanted=(docker.io docker-compose runsc busybox-static bpftrace bpftool binutils gcc libc6-dev apparmor prometheus-alertmanager rsyslog rsyslog-gnutls chromium) missing=() pkg
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then vigil_step apt ok; return; fi
  [ "$(id -u)" -eq 0 ] || vigil_die "missing Debian packages ${missing[*]} and not root: run 'apt-get install ${missing[*]}' as root"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || vigil_die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || vigil_die "apt-get install ${missing[*]} failed"
  vigil_step apt "installed ${missing[*]}"
}

# Registers gVisor as runtime "runsc" in /etc/docker/daemon.json, keeping every other key.
# Prints "changed" or "ok".
merge_daemon_json() {
  local runsc
  runsc="$(command -v runsc || true)"
  [ -n "$runsc" ] || vigil_die "runsc is not on PATH after installing the runsc package"
  mkdir -p /etc/docker
  "$(vigil_node)" --input-type=module -e '
    import { readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
    const [file, runsc] = process.argv.slice(1);
    let config = {};
    if (existsSync(file)) {
      const text = readFileSync(file, "utf8");
      try { config = text.trim() === "" ? {} : JSON.parse(text); }
      catch (err) { console.error(`${file} is not valid JSON: ${err.message}`); process.exit(2); }
    }
    const want = { path: runsc, runtimeArgs: ["--network=host"] };
    const have = config.runtimes?.runsc;
    if (JSON.stringify(have) === JSON.stringify(want)) { console.log("ok"); process.exit(0); }
    config.runtimes = { ...(config.runtimes ?? {}), runsc: want };
    writeFileSync(file + ".vigil-tmp", JSON.stringify(config, null, 2) + "\n");
    renameSync(file + ".vigil-tmp", file);
    console.log("changed");
  ' /etc/docker/daemon.json "$runsc" || vigil_die "could not update /etc/docker/daemon.json"
}

docker_runtimes() { docker info --format '{{range $name, $_ := .Runtimes}}{{$name}} {{end}}' 2>/dev/null; }

setup_docker() {
  local daemon_json log=/var/log/vigil-dockerd.log
  daemon_json="$(merge_daemon_json)"
  if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null || vigil_die "dockerd is not installed (package docker.io)"
    # Detached (own session) so that it outlives this script and the npm process that ran it.
    setsid nohup dockerd >>"$log" 2>&1 </dev/null &
    local waited=0
    until docker info >/dev/null 2>&1; do
      if [ "$waited" -ge 30 ]; then vigil_die "dockerd did not start: see $log"; fi
      sleep 1; waited=$((waited + 1))
    done
    vigil_step docker "started dockerd (log: $log)"
  elif [[ " $(docker_runtimes) " != *" runsc "* ]]; then
    # daemon.json changed under a running dockerd: SIGHUP reloads its runtimes without a restart.
    local pid
    pid="$(pidof dockerd || true)"
    [ -n "$pid" ] || vigil_die "docker works but no local dockerd to reload; register runsc in its daemon.json and reload it"
    kill -HUP $pid
    sleep 1
    vigil_step docker "reloaded dockerd (daemon.json $daemon_json)"
  else
    vigil_step docker "ok (daemon.json $daemon_json)"
  fi
  [[ " $(docker_runtimes) " == *" runsc "* ]] \
    || vigil_die "dockerd does not list runtime runsc (docker info) after updating /etc/docker/daemon.json: restart dockerd"
}

setup_tracefs() {
  if mountpoint -q /sys/kernel/tracing; then vigil_step tracefs ok; return; fi
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null \
    || vigil_die "could not mount tracefs at /sys/kernel/tracing (needed by bpftrace): run as root with CAP_SYS_ADMIN"
  vigil_step tracefs "mounted /sys/kernel/tracing"
}

# The collector container mounts the host's / with rslave propagation (docs/operations.md), which
# Docker refuses when / is a private mount. systemd makes / shared at boot, so that is what most
# hosts have; this VM's init leaves it private, so make it shared as systemd would.
setup_mount_propagation() {
  local propagation
  propagation="$(findmnt -no PROPAGATION / 2>/dev/null || true)"
  if [[ "$propagation" == shared* ]]; then vigil_step mounts "ok (/ is $propagation)"; return; fi
  mount --make-rshared / || vigil_die "could not make / a shared mount (mount --make-rshared /): run as root"
  vigil_step mounts "made / rshared (was ${propagation:-unknown})"
}

# image_is_current IMAGE: the image exists and carries this revision of its recipe.
image_is_current() {
  [ "$(docker image inspect --format '{{index .Config.Labels "vigil.test.revision"}}' "$1" 2>/dev/null)" \
    = "$VIGIL_TEST_IMAGE_REVISION" ]
}

# import_rootfs DIR IMAGE [--change ...]: the rootfs in DIR (made by root) becomes IMAGE, then DIR
# is deleted. The image it replaces, if any, is deleted too unless a container still uses it.
import_rootfs() {
  local dir="$1" image="$2" old; shift 2
  old="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
  if ! tar --numeric-owner -C "$dir" -c . \
    | docker import --change "LABEL vigil.test.revision=$VIGIL_TEST_IMAGE_REVISION" "$@" - "$image" >/dev/null; then
    rm -rf "$dir"
    vigil_die "docker import of $image failed"
  fi
  rm -rf "$dir"
  if [ -n "$old" ]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
}

setup_busybox_image() {
  if image_is_current "$VIGIL_BUSYBOX_IMAGE"; then vigil_step busybox "ok ($VIGIL_BUSYBOX_IMAGE)"; return; fi
  local busybox=/usr/bin/busybox root applet
  [ -x "$busybox" ] || vigil_die "$busybox is missing (package busybox-static)"
  if ldd "$busybox" >/dev/null 2>&1; then vigil_die "$busybox is dynamically linked: install busybox-static"; fi
  root="$(mktemp -d)"
  chmod 755 "$root"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/home/app"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'app:x:1000:1000:app:/home/app:/bin/sh' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'app:x:1000:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  chown 1000:1000 "$root/home/app"
  import_rootfs "$root" "$VIGIL_BUSYBOX_IMAGE" --change 'CMD ["/bin/sh"]'
  vigil_step busybox "built $VIGIL_BUSYBOX_IMAGE"
}

setup_nats_image() {
  if image_is_current "$VIGIL_NATS_IMAGE"; then vigil_step natsimage "ok ($VIGIL_NATS_IMAGE)"; return; fi
  local server="$BIN_DIR/nats-server" root
  if ldd "$server" >/dev/null 2>&1; then
    vigil_die "$server is dynamically linked; delete it and rerun setup (it is built with CGO_ENABLED=0)"
  fi
  root="$(mktemp -d)"
  chmod 755 "$root"
  mkdir -p "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$server" "$root/nats-server"
  import_rootfs "$root" "$VIGIL_NATS_IMAGE" --change 'ENTRYPOINT ["/nats-server"]' --change 'EXPOSE 4222'
  vigil_step natsimage "built $VIGIL_NATS_IMAGE"
}

# Vigil's own images, built on minimal local Node bases (no registry here); each script skips the
# work when its image carries the hash of its current inputs.
setup_vigil_images() {
  local out base bpfbase apps
  out="$(mktemp)"
  base="$(bash deploy/images/make-base.sh --if-changed 2>"$out")" \
    || { cat "$out" >&2; vigil_die "deploy/images/make-base.sh failed"; }
  bpfbase="$(bash deploy/images/make-base.sh --bpftrace --if-changed 2>"$out")" \
    || { cat "$out" >&2; vigil_die "deploy/images/make-base.sh --bpftrace failed"; }
  apps="$(bash deploy/images/build.sh --base "$VIGIL_NODE_BASE_IMAGE" \
    --collector-base "$VIGIL_NODE_BPFTRACE_BASE_IMAGE" --if-changed 2>"$out")" \
    || { cat "$out" >&2; vigil_die "deploy/images/build.sh failed"; }
  rm -f "$out"
  if [[ "$base$bpfbase$apps" == ok*ok*ok* ]]; then
    vigil_step images "ok ($VIGIL_ENGINE_IMAGE, $VIGIL_COLLECTOR_IMAGE)"
  else
    vigil_step images "$apps; bases: ${base%% (*}, ${bpfbase%% (*}"
  fi
}

setup_node
setup_npm
setup_opa
setup_nats_server
setup_build
if [ "$with_test" -eq 1 ]; then
  setup_packages
  setup_pss_reference
  setup_docker
  setup_tracefs
  setup_busybox_image
  setup_nats_image
  setup_mount_propagation
  setup_vigil_images
fi
