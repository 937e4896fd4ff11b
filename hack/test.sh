#!/usr/bin/env bash
# The project's test command (README): formatting, the unit and CLI tests, the end-to-end
# tests against a real local control plane, the same tests again under ASan+UBSan, and a
# bounded libFuzzer run. Set CSP_SKIP_E2E=1 to leave out the control plane.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${CSP_JOBS:-$(nproc)}
fuzz_seconds=${CSP_FUZZ_SECONDS:-60}
step() { printf '\n=== %s\n' "$*"; }

step "install dependencies"
bash hack/install-deps.sh

step "clang-format and hadolint"
bash hack/check-format.sh
hadolint Dockerfile && echo "hadolint: Dockerfile clean"

e2e=ON
if [ "${CSP_SKIP_E2E:-0}" = 1 ]; then
  e2e=OFF
else
  step "control plane binaries (cached by version)"
  bash hack/build-control-plane.sh
fi

step "build (RelWithDebInfo) and test: unit, CLI and end-to-end"
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSP_E2E=$e2e >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

step "build with ASan+UBSan and run every test but the end-to-end ones"
cmake -G Ninja -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCSP_SANITIZE=ON -DCSP_E2E=OFF >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$root/tests/lsan.supp":print_suppressions=0 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE e2e

if [ "$fuzz_seconds" -gt 0 ]; then
  step "libFuzzer: parse -> evaluate -> report for ${fuzz_seconds}s"
  CC=clang CXX=clang++ cmake -G Ninja -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCSP_FUZZ=ON \
    -DCSP_E2E=OFF -DBUILD_TESTING=ON >/dev/null
  cmake --build build-fuzz -j "$jobs" --target scan_fuzzer
  mkdir -p build-fuzz/corpus
  build-fuzz/tests/fuzz/scan_fuzzer -max_total_time="$fuzz_seconds" -rss_limit_mb=1024 \
    -timeout=10 build-fuzz/corpus tests/fuzz/seeds 2>&1 | tail -n 5
fi
echo
echo "all tests passed"
