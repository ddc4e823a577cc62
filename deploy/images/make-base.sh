#!/usr/bin/env bash
# Builds a minimal local Node.js base image from files already on this machine, for building the
# Vigil images where no registry is reachable (the tests). Production builds use an official Node
# image instead (see deploy/images/README.md).
#
#   bash deploy/images/make-base.sh [--bpftrace] [--tag IMAGE] [--if-changed]
#
# The root filesystem holds the Node binary (stripped), the shared libraries `ldd` lists for it,
# /etc/passwd and /etc/group with root and nonroot (65532), /tmp, and nothing else: no shell, no
# package manager. --bpftrace adds /usr/bin/bpftrace and its libraries (LLVM and clang make this
# about 200 MB larger) for the collector's eBPF source, and a static busybox as /bin/sh only:
# bpftrace 0.17 runs `sh -c "clang-14 -Wp,-v ..."` to find include paths and dies with SIGSEGV
# on the first tracepoint with arguments when there is no /bin/sh. The result is `docker import`ed as IMAGE
# (default vigil-test/node-base:24, or vigil-test/node-base:24-bpftrace with --bpftrace) with a
# label holding a hash of its inputs; --if-changed does nothing when the image carries the same hash.
# Prints one line: "ok (IMAGE)" or "built IMAGE (SIZE)". Needs root (file ownership in the rootfs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

with_bpftrace=0 if_changed=0 tag=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --bpftrace) with_bpftrace=1 ;;
    --if-changed) if_changed=1 ;;
    --tag) tag="${2:?--tag needs an image name}"; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) vigil_die "unknown argument '$1' (expected: --bpftrace, --tag IMAGE, --if-changed)" ;;
  esac
  shift
done
if [ -z "$tag" ]; then
  tag="$VIGIL_NODE_BASE_IMAGE"
  if [ "$with_bpftrace" -eq 1 ]; then tag="$VIGIL_NODE_BPFTRACE_BASE_IMAGE"; fi
fi

node="$VIGIL_CACHE/node$VIGIL_NODE_MAJOR/node_modules/node/bin/node"
[ -x "$node" ] || vigil_die "$node is missing: run 'bash scripts/setup.sh' (it installs Node $VIGIL_NODE_MAJOR there)"
binaries=("$node")
if [ "$with_bpftrace" -eq 1 ]; then
  [ -x /usr/bin/bpftrace ] || vigil_die "/usr/bin/bpftrace is missing: apt-get install bpftrace"
  binaries+=(/usr/bin/bpftrace)
  [ -x /usr/bin/busybox ] && ! ldd /usr/bin/busybox >/dev/null 2>&1 \
    || vigil_die "/usr/bin/busybox is missing or not static: apt-get install busybox-static"
fi

# libraries BINARY: absolute paths of the shared objects the dynamic loader resolves for BINARY,
# the loader itself included (ldd prints "name => path (addr)" and "/lib64/ld-linux... (addr)").
libraries() {
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# The inputs: this script, and name, size and mtime of every file copied in (cheap, and changes when
# apt or setup replaces a binary or library).
inputs_hash() {
  local file
  {
    cat "${BASH_SOURCE[0]}"
    for file in "${binaries[@]}"; do
      stat -L -c '%n %s %Y' "$file"
      libraries "$file" | sort -u | while read -r file; do stat -L -c '%n %s %Y' "$file"; done
    done
  } | sha256sum | cut -c1-16
}

hash="$(inputs_hash)"
if [ "$if_changed" -eq 1 ] \
  && [ "$(docker image inspect --format '{{index .Config.Labels "vigil.base.inputs"}}' "$tag" 2>/dev/null)" = "$hash" ]; then
  echo "ok ($tag)"
  exit 0
fi

command -v strip >/dev/null || vigil_die "strip is missing: apt-get install binutils"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root/usr/local/bin" "$root/etc" "$root/tmp" "$root/home/nonroot" "$root/root"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
chown 65532:65532 "$root/home/nonroot"

# Node at the same path as in the official images; its debug symbols are 13 MB of 121 MB.
cp "$node" "$root/usr/local/bin/node"
strip --strip-all "$root/usr/local/bin/node"
if [ "$with_bpftrace" -eq 1 ]; then
  mkdir -p "$root/usr/bin"
  cp /usr/bin/bpftrace "$root/usr/bin/bpftrace"
  mkdir -p "$root/bin"
  cp /usr/bin/busybox "$root/bin/sh"
fi
for binary in "${binaries[@]}"; do
  libraries "$binary"
done | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# Debian's loader also looks in /lib64 and /usr/lib64 via the multiarch paths compiled in; /lib is a
# real directory here (no usrmerge symlinks), which the loader does not mind.

printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' \
  >"$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$root/etc/group"
# glibc ≥ 2.34 has the files and dns lookups built in; this only states the order.
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"

old="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
tar --numeric-owner -C "$root" -c . | docker import \
  --change "LABEL vigil.base.inputs=$hash" \
  --change "LABEL org.opencontainers.image.description=\"Node.js $("$node" -v), minimal local base made by deploy/images/make-base.sh\"" \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'CMD ["node"]' \
  - "$tag" >/dev/null || vigil_die "docker import of $tag failed"
new="$(docker image inspect --format '{{.Id}}' "$tag")"
if [ -n "$old" ] && [ "$old" != "$new" ]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%d MB", $1 / 1000000 }'))"
