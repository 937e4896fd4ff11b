#!/usr/bin/env bash
# The scan benchmark of docs/benchmarks.md: generates the 10,000-Deployment corpus, then times
# `cspctl scan -o json` end to end (wall, CPU, peak RSS), reading alone (against yaml-cpp's
# LoadAll in the same run) and evaluation alone, on a Release build.
#   bench/scan_bench.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
runs=${1:-5}
build=${CSP_BENCH_BUILD:-build-bench}
corpus=${CSP_BENCH_CORPUS:-/tmp/csp-corpus.yaml}
cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCSP_E2E=OFF -DBUILD_TESTING=OFF \
  -DCSP_BENCH=ON >/dev/null
cmake --build "$build" --target cspctl eval_bench manifest_read_bench >/dev/null
python3 bench/gen_corpus.py --out "$corpus"
echo "corpus: $(stat -c %s "$corpus") bytes"
echo "cspctl scan -o json (end to end, $runs runs):"
for _ in $(seq "$runs"); do
  /usr/bin/time -f "  %e s wall, %U s user, %S s sys, %M KB peak RSS" \
    "$build/operator/cmd/scan/cspctl" scan -o json --now 2026-01-01T00:00:00Z "$corpus" \
    >/dev/null 2>/tmp/csp-bench-time || true
  tail -n 1 /tmp/csp-bench-time
done
echo "reading alone (yaml-cpp LoadAll, JSON trees, trees then typed, typed from events):"
"$build/bench/manifest_read_bench" "$corpus" --repeat "$runs" | sed 's/^/  /'
echo "evaluation alone:"
"$build/bench/eval_bench" "$corpus" 20 | sed 's/^/  /'
