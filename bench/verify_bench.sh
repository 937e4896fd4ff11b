#!/usr/bin/env bash
# The image verification benchmark of docs/benchmarks.md (issue 13): COUNT distinct images on a
# local registry, signed by cosign (v3 bundles, --tlog-upload=false), verified by
# csp::imageverify::Verifier cold and warm (bench/verify_bench.cc), then by `cosign verify`.
#   bench/verify_bench.sh [COUNT] [REGISTRY]
# COUNT defaults to 1000. REGISTRY is distribution (default: no referrers API, cosign's bundles
# are found through the sha256-<hex> fallback tag) or referrers (hack/referrers-registry: the
# OCI referrers API). CSP_BENCH_COSIGN_SAMPLE (default 50) images are verified by one `cosign
# verify` process each; all COUNT by one process with every image as argument.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
count=${1:-1000}
kind=${2:-distribution}
sample=${CSP_BENCH_COSIGN_SAMPLE:-50}
build=${CSP_BENCH_BUILD:-build-bench}
jobs=${CSP_BENCH_JOBS:-4}

bin=$(bash hack/build-test-tools.sh)
cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCSP_E2E=OFF -DBUILD_TESTING=OFF \
  -DCSP_BENCH=ON >/dev/null
cmake --build "$build" --target verify_bench >/dev/null

work=$(mktemp -d /tmp/csp-verify-bench-XXXXXX)
registry_pid=
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DOCKER_CONFIG=$work/docker COSIGN_PASSWORD=
mkdir -p "$DOCKER_CONFIG" && echo '{"auths":{}}' >"$DOCKER_CONFIG/config.json"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
host=127.0.0.1:$port
case $kind in
  distribution)
    cat >"$work/config.yml" <<YAML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/root}}
http: {addr: $host}
YAML
    "$bin/registry" serve "$work/config.yml" >"$work/registry.log" 2>&1 &
    ;;
  referrers)
    "$bin/referrers-registry" -addr "$host" -blobs "$work/blobs" >"$work/registry.log" 2>&1 &
    ;;
  *) echo "unknown registry: $kind (distribution or referrers)" >&2; exit 2 ;;
esac
registry_pid=$!
for _ in $(seq 100); do curl -fs "http://$host/v2/" >/dev/null && break; sleep 0.1; done
crane() { "$bin/crane" --insecure "$@"; }
insecure=(--allow-http-registry --allow-insecure-registry)

# COUNT distinct images: one base layer, then one config per image (a distinct label).
start=$(now)
head -c 4096 /dev/urandom >"$work/random.bin"
tar -cf "$work/layer.tar" -C "$work" random.bin
crane append --oci-empty-base -f "$work/layer.tar" -t "$host/bench/app:base" >/dev/null 2>&1
seq "$count" | xargs -P "$jobs" -I{} "$bin/crane" mutate --insecure --label csp.bench.n={} \
  -t "$host/bench/app:i-{}" "$host/bench/app:base" 2>/dev/null >"$work/digests.txt"
seq "$count" | sed "s|^|$host/bench/app:i-|" >"$work/images.txt"
echo "setup: $count images pushed in $(since "$start") s"
"$bin/cosign" generate-key-pair --output-key-prefix "$work/release" >/dev/null 2>&1
start=$(now)
# Several images per cosign process (it decrypts the key once), a few processes at a time.
xargs -n 100 -P "$jobs" "$bin/cosign" sign --key "$work/release.key" --tlog-upload=false \
  --use-signing-config=false "${insecure[@]}" --timeout=30m -y <"$work/digests.txt" \
  >/dev/null 2>"$work/sign.log" || { tail -n 20 "$work/sign.log" >&2; exit 1; }
echo "setup: $count images signed by cosign (100 per process, $jobs at a time)" \
  "in $(since "$start") s"
echo "registry: $kind ($host)"

"$build/bench/verify_bench" --images "$work/images.txt" --key "$work/release.pub" \
  --insecure-registry "$host"

verify=("$bin/cosign" verify --key "$work/release.pub" --insecure-ignore-tlog=true "${insecure[@]}"
  --timeout=30m)
mapfile -t images <"$work/images.txt"
start=$(now)
cosign_verify() {
  "${verify[@]}" "$@" >/dev/null 2>"$work/cosign.log" || { cat "$work/cosign.log" >&2; exit 1; }
}
for image in "${images[@]:0:$sample}"; do cosign_verify "$image"; done
elapsed=$(since "$start")
awk -v n="$sample" -v s="$elapsed" 'BEGIN { printf "cosign verify, one process per image " \
  "(%d images): total %.1f s, %.0f ms per image\n", n, s, 1000 * s / n }'
start=$(now)
cosign_verify "${images[@]}"
elapsed=$(since "$start")
awk -v n="$count" -v s="$elapsed" 'BEGIN { printf "cosign verify, one process for all " \
  "%d images: total %.1f s, %.1f ms per image\n", n, s, 1000 * s / n }'
