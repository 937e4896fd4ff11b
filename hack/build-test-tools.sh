#!/usr/bin/env bash
# Builds the test tools from their Go modules into a cache folder keyed by the pinned versions
# (hack/versions.env): registry (distribution), cosign, crane, helm and referrers-registry (ours,
# hack/referrers-registry: a registry with the OCI referrers API). Prints the folder holding the
# binaries. Idempotent: a complete cache is reused as is.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

die() { echo "build-test-tools: $*" >&2; exit 1; }

key="registry-${DISTRIBUTION_VERSION}_cosign-${COSIGN_VERSION}_crane-${CRANE_VERSION}"
key+="_helm-${HELM_VERSION}_referrers-${REFERRERS_REGISTRY_REVISION}"
cache=${CSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/csp-operator}/test-tools/$key
bin=$cache/bin
# name -> package@version; none of these modules has replace lines, so go install works.
declare -A pkg=(
  [registry]="github.com/distribution/distribution/v3/cmd/registry@v$DISTRIBUTION_VERSION"
  [cosign]="github.com/sigstore/cosign/v3/cmd/cosign@v$COSIGN_VERSION"
  [crane]="github.com/google/go-containerregistry/cmd/crane@v$CRANE_VERSION"
  [helm]="helm.sh/helm/v4/cmd/helm@v$HELM_VERSION"
)
want=(registry crane cosign helm referrers-registry)
# referrers-registry is built from its committed go.mod and go.sum: the checksums pin every
# module, so the build needs only the module cache or proxy (no checksum database, no `go get`).
referrers_src=$here/referrers-registry
grep -qx "require github.com/google/go-containerregistry v$CRANE_VERSION" "$referrers_src/go.mod" ||
  die "$referrers_src/go.mod must require go-containerregistry v$CRANE_VERSION (CRANE_VERSION)"

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done; }
if complete; then echo "$bin"; exit 0; fi
command -v go >/dev/null || die "Go is not installed (need >= 1.26; see README)"

mkdir -p "$bin"
export GOTOOLCHAIN=local CGO_ENABLED=0
log=$cache/build.log
: >"$log"
for b in "${want[@]}"; do
  [ -x "$bin/$b" ] && continue
  echo "build-test-tools: building $b (${pkg[$b]:-$referrers_src})" >&2
  tmp=$cache/gobin.$b && rm -rf "$tmp" && mkdir -p "$tmp"
  if [ "$b" = referrers-registry ]; then
    (cd "$referrers_src" && go build -trimpath -ldflags "-s -w" -o "$tmp/$b" .) >>"$log" 2>&1
  else
    env GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "${pkg[$b]}" >>"$log" 2>&1
  fi || { tail -n 30 "$log" >&2; die "failed to build $b (full log: $log)"; }
  mv "$tmp/$b" "$bin/$b" && rm -rf "$tmp"
done

complete || die "build finished but binaries are missing in $bin"
echo "$bin"
