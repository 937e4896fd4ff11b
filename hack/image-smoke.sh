#!/usr/bin/env bash
# Smoke-tests the image hack/image.sh wrote, inside its own root file system (umoci unpack, then
# chroot as root dropping to the image's user): the three binaries start, no shared library is
# missing, cspctl scans the examples, csp-agent renders a profile, apparmor_parser is there, and
# the image runs as 65532. Exit status: 0 all checks pass, 1 a check failed.
#
#   hack/image-smoke.sh [ARCHIVE]   (default build/image/csp-operator.oci.tar)
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(realpath "${1:-build/image/csp-operator.oci.tar}")
[ "$(id -u)" -eq 0 ] || { echo "image-smoke: run as root (chroot)" >&2; exit 2; }
command -v umoci >/dev/null || { echo "image-smoke: umoci missing: apt-get install umoci" >&2; exit 2; }

work=$(mktemp -d)
rootfs=$work/bundle/rootfs
cleanup() {
  umount "$rootfs/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/layout"
tar xf "$archive" -C "$work/layout"
ref=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' \
  "$work/layout/index.json")
umoci unpack --image "$work/layout:$ref" "$work/bundle" >/dev/null
mount -t proc proc "$rootfs/proc"

failures=0
check() {  # check NAME COMMAND...: runs COMMAND, reports it, counts a failure
  local name=$1; shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok   $name"
  else
    echo "FAIL $name"; sed 's/^/     /' "$work/out"; failures=$((failures + 1))
  fi
}
blob() { echo "$work/layout/blobs/${1/://}"; }

# The user comes from the image config, as a container runtime reads it.
manifest=$(jq -r '.manifests[0].digest' "$work/layout/index.json")
config=$(jq -r '.config.digest' "$(blob "$manifest")")
user=$(jq -r '.config.User' "$(blob "$config")")
check "image config: User is 65532:65532 (got $user)" test "$user" = "65532:65532"
run_as_image_user() { chroot --userspec="$user" "$rootfs" "$@"; }

bins=(csp-operator csp-agent cspctl)
for bin in "${bins[@]}"; do
  check "$bin --help" run_as_image_user "/usr/local/bin/$bin" --help
  check "$bin: no shared library missing" \
    bash -c '! chroot "$1" ldd "/usr/local/bin/$2" | grep "not found"' _ "$rootfs" "$bin"
done
# cspctl scan: exit 1 means it scanned and found failing workloads (the examples have some);
# 2 would be a usage or input error, and the summary line proves every file was read.
mkdir -p "$rootfs/tmp/examples"
cp -r examples/workloads examples/policies "$rootfs/tmp/examples/"
scan_examples() {
  local rc=0
  run_as_image_user /usr/local/bin/cspctl scan -p /tmp/examples/policies/strict.yaml \
    /tmp/examples/workloads || rc=$?
  [ "$rc" -le 1 ]
}
check "cspctl scan examples/workloads (strict policy)" scan_examples
grep -q 'workloads scanned against 1 policy' "$work/out" || {
  echo "FAIL cspctl scan printed no summary"; failures=$((failures + 1)); }
check "csp-agent render csp-default-seccomp" \
  bash -c 'chroot --userspec="$1" "$2" /usr/local/bin/csp-agent render csp-default-seccomp |
    grep -q SCMP_ACT_ERRNO' _ "$user" "$rootfs"
check "apparmor_parser present" chroot "$rootfs" apparmor_parser --version
check "entrypoint is csp-operator" \
  test "$(jq -r '.config.Entrypoint[0]' "$(blob "$config")")" = /usr/local/bin/csp-operator

if [ "$failures" -gt 0 ]; then
  echo "image-smoke: $failures check(s) failed"; exit 1
fi
echo "image-smoke: all checks passed ($(du -shx "$rootfs" | cut -f1) unpacked)"
