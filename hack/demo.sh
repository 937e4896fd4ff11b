#!/usr/bin/env bash
# The one-command tour: installs the Debian packages, builds the project into build/, starts the
# local cluster (hack/cluster.sh; the first run builds Kubernetes from source, 10-50 min), applies
# the CRDs, the example policy and the example workloads, and shows what the scanner says about
# them. The cluster stays up at the end.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${CSP_BUILD_DIR:-build}  # another folder keeps a developer's build/ untouched

step() { printf '\n==> %s\n' "$*"; }

step "installing dependencies (hack/install-deps.sh)"
hack/install-deps.sh

step "building the project into $build/"
cmake -G Ninja -S . -B "$build"
cmake --build "$build"

step "starting the local cluster (hack/cluster.sh up)"
hack/cluster.sh up
eval "$(hack/cluster.sh env)"

shopt -s nullglob
crds=(crds/*.yaml)
policies=(examples/policies/*.yaml)
workloads=(examples/workloads/*.yaml)

if [ ${#crds[@]} -gt 0 ]; then
  step "applying the CRDs"
  for f in "${crds[@]}"; do kubectl apply --server-side -f "$f"; done
  kubectl wait --for=condition=Established --timeout=60s crd --all
else
  step "no CRDs in crds/ yet; skipping"
fi

# Namespaces the examples name (any `namespace:` field), created before anything is applied.
examples=("${policies[@]}" "${workloads[@]}")
if [ ${#examples[@]} -gt 0 ]; then
  for ns in $(sed -n 's/^[[:space:]]*namespace:[[:space:]]*["'\'']\{0,1\}\([a-z0-9.-]*\).*/\1/p' "${examples[@]}" | sort -u); do
    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
    echo "namespace $ns ready"
  done
fi

if [ ${#policies[@]} -gt 0 ]; then
  step "applying the example policies"
  kubectl apply -f examples/policies/
else
  step "no example policy in examples/policies/ yet; skipping"
fi
if [ ${#workloads[@]} -gt 0 ]; then
  step "applying the example workloads"
  kubectl apply -f examples/workloads/
else
  step "no example workloads in examples/workloads/ yet; skipping"
fi

cspctl=$build/operator/cmd/scan/cspctl
if [ ! -x "$cspctl" ]; then
  step "cspctl is not built yet ($cspctl); skipping the scan"
elif [ ${#policies[@]} -eq 0 ] || [ ${#workloads[@]} -eq 0 ]; then
  step "no example policy or workloads to scan; skipping the scan"
else
  step "$cspctl scan --policy ${policies[0]} examples/workloads"
  # A non-zero exit means the scanner found violations, which the examples include on purpose.
  rc=0
  "$cspctl" scan --policy "${policies[0]}" examples/workloads || rc=$?
  [ $rc -eq 0 ] || echo "(cspctl exited with $rc)"
fi

step "kubectl get nodes,deploy -A"
kubectl get nodes,deploy -A

cat <<EOF

The cluster is still running. To use it from your shell:
  eval "\$(hack/cluster.sh env)"
  kubectl get pods -A
Status and stop:
  hack/cluster.sh status
  hack/cluster.sh down
EOF
