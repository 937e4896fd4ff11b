#!/usr/bin/env bash
# The project's test command (README): formatting, the unit and CLI tests, the end-to-end
# tests against a real local control plane, the same tests again under ASan+UBSan, the threaded
# libraries' tests under ThreadSanitizer, and a bounded libFuzzer run of every parser of bytes
# from the network or from files. Set CSP_SKIP_E2E=1 to leave out the control plane, and
# CSP_FUZZ_SECONDS (default 100, shared by the fuzzers) to bound the fuzzing; 0 skips it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${CSP_JOBS:-$(nproc)}
fuzz_seconds=${CSP_FUZZ_SECONDS:-100}
step() { printf '\n=== %s\n' "$*"; }
# ccache (installed by install-deps.sh) makes a second run, or a fresh clone on the same machine,
# recompile only what changed. Paths are taken relative to the checkout so that clones share it.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

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
# The registry tests (tests/registry, label registry-server) run real registries and crane.
step "test tools: registry, cosign, crane, helm (cached by version)"
bash hack/build-test-tools.sh
# tests/policy/pss_fixtures_test.cc runs Pod Security Admission's own fixtures.
step "Pod Security Admission fixtures (cached by version)"
bash hack/fetch-psa-fixtures.sh
# The custom workload kinds e2e installs Argo Rollouts' and Kubeflow's real CRDs: fetched here,
# before the tests, so that the e2e step never waits on the network.
step "custom workload kind CRDs (cached by version)"
bash hack/fetch-workload-crds.sh

step "build (RelWithDebInfo) and test: unit, CLI and end-to-end"
cmake "${launcher[@]}" -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSP_E2E=$e2e >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

step "build with ASan+UBSan and run every test but the end-to-end ones"
cmake "${launcher[@]}" -G Ninja -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCSP_SANITIZE=ON -DCSP_E2E=OFF >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$root/tests/lsan.supp":print_suppressions=0 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE e2e

step "build with ThreadSanitizer and run the tests of the libraries that start threads"
# Only kube, serve, registry, agent and manager register tests in this build (tests/CMakeLists.txt), and
# only their test executables are built. tests/tsan.supp names the third-party races it ignores.
cmake "${launcher[@]}" -G Ninja -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSP_TSAN=ON -DCSP_E2E=OFF \
  -DCSP_BENCH=OFF >/dev/null
cmake --build build-tsan -j "$jobs" --target csp_kube_test csp_serve_test csp_registry_test registry_server_test \
  agent_test manager_test
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure -j "$jobs" -LE e2e

if [ "$fuzz_seconds" -gt 0 ]; then
  fuzzers=(scan_fuzzer http_request_fuzzer watch_stream_fuzzer kubeconfig_fuzzer token_file_fuzzer
    node_report_fuzzer admission_review_fuzzer signature_fuzzer fix_fuzzer)
  per_fuzzer=$((fuzz_seconds / ${#fuzzers[@]} > 10 ? fuzz_seconds / ${#fuzzers[@]} : 10))
  step "libFuzzer: ${#fuzzers[@]} parsers for ${per_fuzzer}s each"
  CC=clang CXX=clang++ cmake "${launcher[@]}" -G Ninja -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCSP_FUZZ=ON \
    -DCSP_E2E=OFF -DCSP_BENCH=OFF -DBUILD_TESTING=ON >/dev/null
  cmake --build build-fuzz -j "$jobs" --target "${fuzzers[@]}"
  for fuzzer in "${fuzzers[@]}"; do
    # New inputs go to the corpus folder (kept between runs); the seeds are only read.
    mkdir -p "build-fuzz/corpus/$fuzzer"
    echo "--- $fuzzer"
    log="build-fuzz/$fuzzer.log"
    if ! "build-fuzz/tests/fuzz/$fuzzer" -max_total_time="$per_fuzzer" -rss_limit_mb=1024 \
      -timeout=10 "build-fuzz/corpus/$fuzzer" "tests/fuzz/seeds/$fuzzer" >"$log" 2>&1; then
      tail -n 60 "$log"  # the crash, and the file libFuzzer saved the input to
      exit 1
    fi
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" || tail -n 1 "$log"  # runs, coverage, corpus
  done
fi
echo
echo "all tests passed"
