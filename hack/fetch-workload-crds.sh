#!/usr/bin/env bash
# Fetches the real CRDs of two projects with custom workload kinds from their Go modules (the
# versions pinned in hack/versions.env) into a cache folder keyed by those versions, and prints
# that folder: argo-rollouts/rollout-crd.yaml (a Rollout, with /scale) and
# kubeflow/kubeflow.org_pytorchjobs.yaml (a PyTorchJob, one template per replica type), for
# the e2e of custom workload kinds (tests/e2e/operator_workload_kinds_test.cc, which runs this
# script itself). Idempotent: a complete cache
# is reused without the network.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

die() { echo "fetch-workload-crds: $*" >&2; exit 1; }

key="argo-rollouts-v$ARGO_ROLLOUTS_VERSION+training-operator-v$KUBEFLOW_TRAINING_OPERATOR_VERSION"
cache=${CSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/csp-operator}/workload-crds/$key
if [ -f "$cache/complete" ]; then echo "$cache"; exit 0; fi
command -v go >/dev/null || die "Go is not installed (need >= 1.26; see README)"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod
# Prints the folder `go mod download` unpacked module $1 into.
download() {
  local dir
  dir=$(cd "$(mktemp -d)" && go mod download -json "$1" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download $1 failed"
  echo "$dir"
}

# (module, file in it, copy under the cache)
copy() {
  local dir
  dir=$(download "$1")
  [ -f "$dir/$2" ] || die "$1 has no $2"
  mkdir -p "$(dirname "$cache/$3")"
  cp "$dir/$2" "$cache/$3"
  chmod u+w "$cache/$3"
}

rm -rf "$cache"
mkdir -p "$cache"
copy "github.com/argoproj/argo-rollouts@v$ARGO_ROLLOUTS_VERSION" manifests/crds/rollout-crd.yaml \
  argo-rollouts/rollout-crd.yaml
copy "github.com/kubeflow/training-operator@v$KUBEFLOW_TRAINING_OPERATOR_VERSION" \
  manifests/base/crds/kubeflow.org_pytorchjobs.yaml kubeflow/kubeflow.org_pytorchjobs.yaml
echo "$key" >"$cache/complete"
echo "$cache"
