#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and kwok from
# their Go modules into a cache folder keyed by the pinned versions (hack/versions.env).
# Prints the folder holding the binaries. Idempotent: a complete cache is reused as is.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
source "$here/lib/k8s-module.sh"

die() { echo "build-control-plane: $*" >&2; exit 1; }

key="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
cache=${CSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/csp-operator}/control-plane/$key
bin=$cache/bin
want=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

complete() { for b in "${want[@]}"; do [ -x "$bin/$b" ] || return 1; done; [ -f "$bin/kwok-stages.yaml" ]; }
if complete; then echo "$bin"; exit 0; fi
# Go is needed only to build: a complete cache runs without it.
command -v go >/dev/null || die "Go is not installed (need >= 1.26; see README)"

mkdir -p "$bin" "$cache/src"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
log=$cache/build.log
: >"$log"
step() { echo "build-control-plane: $*" >&2; }
run() { "$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "failed: $* (full log: $log)"; }; }

# etcd: server/v3 has replace lines, so it is built from a wrapper module.
if [ ! -x "$bin/etcd" ]; then
  step "building etcd v$ETCD_VERSION"
  w=$cache/src/etcd && rm -rf "$w" && mkdir -p "$w" && cd "$w"
  printf 'module local/etcdbuild\n\ngo 1.26.0\n' >go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
  run go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  run go mod tidy
  run go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3
  mv "$bin/etcd.tmp" "$bin/etcd"
fi

# Kubernetes, from a wrapper module (hack/lib/k8s-module.sh).
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
need_k8s=0; for b in "${k8s_bins[@]}"; do [ -x "$bin/$b" ] || need_k8s=1; done
if [ $need_k8s = 1 ]; then
  step "building kubernetes v$K8S_VERSION (first build: 20-40 min on 2 cores)"
  w=$cache/src/k8s && rm -rf "$w" && mkdir -p "$w" && cd "$w"
  write_k8s_module local/k8sbuild "${k8s_bins[@]}"
  run go mod tidy
  ld=$(k8s_ldflags)
  for b in "${k8s_bins[@]}"; do
    [ -x "$bin/$b" ] && continue
    step "  go build $b"
    run go build -trimpath -pgo=off -tags selinux,notest -ldflags "$ld" -o "$bin/$b.tmp" "k8s.io/kubernetes/cmd/$b"
    mv "$bin/$b.tmp" "$bin/$b"
  done
fi

# kwok: no replace lines, so go install works. v0.8 needs stage files; they ship in the module.
if [ ! -x "$bin/kwok" ] || [ ! -f "$bin/kwok-stages.yaml" ]; then
  step "building kwok v$KWOK_VERSION"
  run env GOBIN="$bin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION"
  stages=$(go env GOMODCACHE)/sigs.k8s.io/kwok@v$KWOK_VERSION/kustomize/stage
  [ -d "$stages" ] || die "kwok stage files not found under $stages"
  {
    for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
      pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
      [ -f "$stages/$f.yaml" ] || die "missing kwok stage $stages/$f.yaml"
      echo "---"; cat "$stages/$f.yaml"
    done
  } >"$bin/kwok-stages.yaml.tmp"
  mv "$bin/kwok-stages.yaml.tmp" "$bin/kwok-stages.yaml"
fi

complete || die "build finished but binaries are missing in $bin"
echo "$bin"
