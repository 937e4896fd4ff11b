# shellcheck shell=bash
# What bench/operator_bench.sh and bench/operator_scale_bench.sh share: the operator binary, the
# bench cluster's folder and ports, the objects every run needs, and the operator's identity.
# Source it from the repository root; it sets `operator`, `out`, `helper` and the CSP_* cluster
# variables, and defines the functions below.

# shellcheck source=../../hack/lib/wait-crds.sh
source hack/lib/wait-crds.sh

# Never the defaults of hack/cluster.sh or of the e2e fixture: other clusters run beside this one.
export CSP_CLUSTER_DIR=${CSP_BENCH_CLUSTER_DIR:-/tmp/csp-bench-cluster}
# CSP_BENCH_PORTS="API ETCD ETCD_PEER KCM SCHEDULER" moves it (e.g. a smoke run beside a kept
# cluster).
read -r CSP_API_PORT CSP_ETCD_PORT CSP_ETCD_PEER_PORT CSP_KCM_PORT CSP_SCHEDULER_PORT \
  <<<"${CSP_BENCH_PORTS:-14443 28790 28800 20457 20459}"
export CSP_API_PORT CSP_ETCD_PORT CSP_ETCD_PEER_PORT CSP_KCM_PORT CSP_SCHEDULER_PORT
# The controller-manager and the scheduler at their defaults (20 and 50 requests a second)
# need 13 minutes to start 10,000 Pods; at 200 it takes about 2 (docs/benchmarks.md).
export CSP_KCM_API_QPS=${CSP_KCM_API_QPS:-200} CSP_KCM_API_BURST=${CSP_KCM_API_BURST:-400}
export CSP_SCHEDULER_API_QPS=${CSP_SCHEDULER_API_QPS:-200}
export CSP_SCHEDULER_API_BURST=${CSP_SCHEDULER_API_BURST:-400}
helper=(python3 "$PWD/bench/operator_bench.py")
out=${CSP_BENCH_OUT:-/tmp/csp-bench-operator}

say() { echo "$(date +%H:%M:%S) $(basename "$0" .sh): $*" >&2; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# Sets `operator`: CSP_OPERATOR_BIN, or a Release build in CSP_BENCH_OP_BUILD (build-bench-op).
bench_operator_binary() {
  if [ -n "${CSP_OPERATOR_BIN:-}" ]; then
    operator=$CSP_OPERATOR_BIN
  else
    local build=${CSP_BENCH_OP_BUILD:-build-bench-op}
    say "building csp-operator (Release) in $build"
    cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
      -DCSP_BENCH=OFF >/dev/null
    ninja -C "$build" -j2 csp-operator >/dev/null
    operator=$build/operator/cmd/operator/csp-operator
  fi
  [ -x "$operator" ] || { say "no csp-operator at $operator"; exit 1; }
  mkdir -p "$out"
}

bench_cleanup() {
  if [ "${CSP_BENCH_KEEP_CLUSTER:-0}" = 1 ]; then
    say "cluster kept: CSP_CLUSTER_DIR=$CSP_CLUSTER_DIR hack/cluster.sh down"
  else
    hack/cluster.sh down >&2 || true
  fi
}

# The CRDs, the operator's RBAC and the policy `bench` (every default control, every namespace,
# action Label) on the cluster of the current KUBECONFIG.
bench_apply_basics() {
  kubectl apply --server-side -f crds/ >/dev/null
  wait_crds_established crd/containersecuritypolicies.containersecurity.dev \
    crd/policyreports.wgpolicyk8s.io
  kubectl apply -k config/rbac >/dev/null
  kubectl apply -f - >/dev/null <<'POLICY'
apiVersion: containersecurity.dev/v1alpha1
kind: ContainerSecurityPolicy
metadata:
  name: bench
spec:
  match: {}
  action: Label
POLICY
}

# Writes $out/csp-operator.kubeconfig with a token of the ServiceAccount csp-system/csp-operator
# (config/rbac), never the admin, waits until its RBAC is in effect, and sets `kubeconfig`.
bench_operator_kubeconfig() {
  kubeconfig=$out/csp-operator.kubeconfig
  local token server ca who
  token=$(kubectl create token csp-operator -n csp-system --duration 8h)
  server=$(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.server}')
  ca=$(kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  (
    umask 077 # a bearer token
    cat >"$kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: csp-operator, user: {token: "$token"}}]
contexts: [{name: csp-operator, context: {cluster: bench, user: csp-operator, namespace: csp-system}}]
current-context: csp-operator
KUBECONFIG
  )
  # RBAC reaches the authorizer through an informer: wait until the binding is in effect.
  for _ in $(seq 60); do
    kubectl --kubeconfig "$kubeconfig" auth can-i patch deployments.apps -A >/dev/null 2>&1 && break
    sleep 0.5
  done
  who=$(kubectl --kubeconfig "$kubeconfig" auth whoami -o jsonpath='{.status.userInfo.username}')
  [ "$who" = system:serviceaccount:csp-system:csp-operator ] || { say "token is $who"; exit 1; }
}
