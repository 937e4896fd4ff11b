#!/usr/bin/env bash
# Builds kubelet at the pinned Kubernetes version (hack/versions.env) into its own cache folder,
# beside the control plane's, for the opt-in real node (hack/cluster.sh up --real-node). Prints
# the folder holding the binary. Idempotent: a cached kubelet is reused as is. Not part of
# `hack/cluster.sh build`: kubelet pulls in cadvisor and the container runtime client, and the
# first build takes 15-30 min on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
source "$here/lib/k8s-module.sh"

die() { echo "build-kubelet: $*" >&2; exit 1; }

cache=${CSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/csp-operator}/kubelet/k8s-${K8S_VERSION}
bin=$cache/bin
if [ -x "$bin/kubelet" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || die "Go is not installed (need >= 1.26; see README)"

mkdir -p "$bin"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
log=$cache/build.log
: >"$log"
run() { "$@" >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "failed: $* (full log: $log)"; }; }

echo "build-kubelet: building kubelet v$K8S_VERSION (first build: 15-30 min on 2 cores)" >&2
w=$cache/src && rm -rf "$w" && mkdir -p "$w" && cd "$w"
write_k8s_module local/kubeletbuild kubelet
run go mod tidy
# cgo as Go defaults (on where a C compiler exists), unlike the control plane: the kubelet
# tested with the real node was built so.
run go build -trimpath -pgo=off -tags selinux,notest -ldflags "$(k8s_ldflags)" -o "$bin/kubelet.tmp" k8s.io/kubernetes/cmd/kubelet
mv "$bin/kubelet.tmp" "$bin/kubelet"
echo "$bin"
