#!/usr/bin/env bash
# Smoke-tests the image hack/image.sh wrote, inside its own root file system (umoci unpack, then
# chroot as root dropping to the image's user): the three binaries start, no shared library is
# missing, cspctl scans the examples, csp-agent renders a profile, apparmor_parser is there, and
# the image runs as 65532. Exit status: 0 all checks pass, 1 a check failed.
# With --registry PORT it also pushes the image to a registry it starts on 127.0.0.1:PORT,
# signs it with cosign (a fresh key pair), and has the image's own cspctl verify the operator's
# Deployment (config/manager, pinned to the pushed digest) with the example strict policy plus
# that key: `cspctl images` and `cspctl scan --verify-images` pass, and another key fails.
#
#   hack/image-smoke.sh [--registry PORT] [ARCHIVE]   (default build/image/csp-operator.oci.tar)
set -euo pipefail
cd "$(dirname "$0")/.."
registry_port=""
if [ "${1:-}" = --registry ]; then registry_port=$2; shift 2; fi
archive=$(realpath "${1:-build/image/csp-operator.oci.tar}")
[ "$(id -u)" -eq 0 ] || { echo "image-smoke: run as root (chroot)" >&2; exit 2; }
command -v umoci >/dev/null || { echo "image-smoke: umoci missing: apt-get install umoci" >&2; exit 2; }

work=$(mktemp -d)
rootfs=$work/bundle/rootfs
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
  # Lazy: a process still inside must not leave /proc mounted under a folder we then delete.
  umount -l "$rootfs/proc" 2>/dev/null || true
  if mountpoint -q "$rootfs/proc"; then echo "image-smoke: $rootfs/proc still mounted" >&2
  else rm -rf "$work"; fi
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
no_library_missing() { ! chroot "$rootfs" ldd "/usr/local/bin/$1" | grep "not found"; }
renders_seccomp() {
  run_as_image_user /usr/local/bin/csp-agent render csp-default-seccomp | grep -q SCMP_ACT_ERRNO
}

bins=(csp-operator csp-agent cspctl)
for bin in "${bins[@]}"; do
  check "$bin --help" run_as_image_user "/usr/local/bin/$bin" --help
  check "$bin: no shared library missing" no_library_missing "$bin"
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
check "csp-agent render csp-default-seccomp" renders_seccomp
check "apparmor_parser present" chroot "$rootfs" apparmor_parser --version
check "entrypoint is csp-operator" \
  test "$(jq -r '.config.Entrypoint[0]' "$(blob "$config")")" = /usr/local/bin/csp-operator

# The image signed in a registry and verified by its own cspctl (chroot, loopback network).
if [ -n "$registry_port" ]; then
  tools=$(hack/build-test-tools.sh)  # registry, crane, cosign (built once, then cached)
  host=127.0.0.1:$registry_port
  printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\n%s\n' \
    "$work/registry" "http: {addr: $host}" >"$work/registry.yml"
  "$tools/registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do curl -fsS "http://$host/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
  check "registry on $host" curl -fsS "http://$host/v2/"
  check "crane push" "$tools/crane" --insecure push "$work/layout" "$host/csp-operator:dev"
  digest=$("$tools/crane" --insecure digest "$host/csp-operator:dev")
  image=$host/csp-operator@$digest
  mkdir "$work/other"
  (cd "$work" && COSIGN_PASSWORD='' "$tools/cosign" generate-key-pair >/dev/null 2>&1)
  (cd "$work/other" && COSIGN_PASSWORD='' "$tools/cosign" generate-key-pair >/dev/null 2>&1)
  check "cosign sign $image" env COSIGN_PASSWORD='' "$tools/cosign" sign --key \
    "$work/cosign.key" --tlog-upload=false --use-signing-config=false --allow-http-registry \
    --allow-insecure-registry -y "$image"

  # What cspctl reads, inside the image: the operator's Deployment at the pushed digest, in a
  # namespace the strict policy selects, and that policy trusting the signing key.
  verify=$rootfs/tmp/verify
  mkdir -p "$verify"
  cp "$work/cosign.pub" "$verify/release.pub"
  cp "$work/other/cosign.pub" "$verify/other.pub"
  {
    printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: csp-system\n'
    printf '  labels: {security.example.com/tier: restricted}\n---\n'
    sed "s|image: ghcr.io/csp-operator/csp-operator:.*|image: $image|" \
      config/manager/deployment.yaml
  } >"$verify/operator.yaml"
  {
    sed "s|allowedRegistries: \[|allowedRegistries: [$host, |" examples/policies/strict.yaml
    printf '      keys:\n        - name: release\n          publicKey: |\n'
    sed 's/^/            /' "$work/cosign.pub"
  } >"$verify/strict-signed.yaml"
  cspctl_in_image() {
    run_as_image_user /usr/local/bin/cspctl "$@" --insecure-registry "$host" \
      /tmp/verify/operator.yaml
  }
  not() { ! "$@"; }
  check "cspctl images --key release.pub: verified" cspctl_in_image images \
    --key /tmp/verify/release.pub
  check "cspctl images --key other.pub: not verified (exit 1)" \
    not cspctl_in_image images --key /tmp/verify/other.pub
  check "cspctl scan --verify-images, strict policy + release key: the Deployment passes" \
    cspctl_in_image scan --verify-images -p /tmp/verify/strict-signed.yaml -o json
  grep -q "\"verifiedDigest.operator\": \"$digest\"" "$work/out" || {
    echo "FAIL the scan did not verify $digest"; cat "$work/out"; failures=$((failures + 1)); }
  sed -i '/publicKey: |/,$d' "$verify/strict-signed.yaml"
  {
    printf '          publicKey: |\n'
    sed 's/^/            /' "$work/other/cosign.pub"
  } >>"$verify/strict-signed.yaml"
  check "cspctl scan --verify-images, strict policy + another key: fails (exit 1)" \
    not cspctl_in_image scan --verify-images -p /tmp/verify/strict-signed.yaml
  grep -q 'signature does not verify with keys \[release\]' "$work/out" || {
    echo "FAIL the scan did not say why"; cat "$work/out"; failures=$((failures + 1)); }
fi

if [ "$failures" -gt 0 ]; then
  echo "image-smoke: $failures check(s) failed"; exit 1
fi
echo "image-smoke: all checks passed ($(du -shx "$rootfs" | cut -f1) unpacked)"
