#!/usr/bin/env bash
# Fetches Pod Security Admission's own test fixtures (the Go module k8s.io/pod-security-admission
# at the pinned Kubernetes version, hack/versions.env) into a cache folder keyed by that version,
# and prints the folder holding test/testdata/{baseline,restricted}/v1.<minor>/{pass,fail}/.
# With --newest LEVEL (baseline or restricted) it prints that level's newest v1.<minor> folder
# instead: the fixtures the tests run (tests/policy/pss_fixtures_test.cc, tests/cli,
# tests/e2e/operator_pss_test.cc). Idempotent: a complete cache is reused without the network.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

die() { echo "fetch-psa-fixtures: $*" >&2; exit 1; }

newest=""
if [ "${1:-}" = --newest ]; then
  newest=${2:-}
  [ "$newest" = baseline ] || [ "$newest" = restricted ] || die "--newest takes baseline or restricted"
fi
# The folder to print: testdata, or the level's newest version under it.
print() {
  if [ -z "$newest" ]; then echo "$1"; return; fi
  ls -d "$1/$newest"/v1.* | sort -V | tail -n 1
}

module="k8s.io/pod-security-admission@v$K8S_STAGING_VERSION"
cache=${CSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/csp-operator}/psa-fixtures/v$K8S_STAGING_VERSION
if [ -f "$cache/complete" ]; then print "$cache/testdata"; exit 0; fi
command -v go >/dev/null || die "Go is not installed (need >= 1.26; see README)"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod
dir=$(cd "$(mktemp -d)" && go mod download -json "$module" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir/test/testdata" ] || die "$module has no test/testdata (go mod download gave \"$dir\")"
rm -rf "$cache"
mkdir -p "$cache"
cp -r "$dir/test/testdata" "$cache/testdata"
chmod -R u+w "$cache/testdata"
echo "$module" >"$cache/complete"
print "$cache/testdata"
