#!/usr/bin/env bash
# The csp-operator benchmark of docs/benchmarks.md (issue 4): on a local cluster of its own
# (hack/cluster.sh, 100 kwok nodes, its own folder and ports), 100 namespaces x 20 Deployments
# x 5 replicas (10,000 Pods, one Deployment in four violating) and one Label policy matching
# every namespace. Then, RUNS times: start csp-operator under its ServiceAccount token and
# measure start -> all reports, peak RSS, API requests, report bytes (API JSON and etcd), writes
# in 60 s of steady state and the latency from a violating update to its label and report.
# Prints figures; asserts nothing. The cluster is torn down on exit.
#   bench/operator_bench.sh [RUNS]          (default 2; ~23 min, half of it waiting for Pods)
# Settings: CSP_OPERATOR_BIN (skip the build), CSP_BENCH_OP_BUILD (build-bench-op),
# CSP_BENCH_CLUSTER_DIR (/tmp/csp-bench-cluster), CSP_BENCH_OUT (/tmp/csp-bench-operator: logs,
# one JSON of figures per run), CSP_BENCH_NODES (100), CSP_BENCH_NAMESPACES (100),
# CSP_BENCH_PER_NS (20), CSP_BENCH_REPLICAS (5), CSP_BENCH_SAMPLES (50), CSP_BENCH_QUIET (60 s),
# CSP_BENCH_KEEP_CLUSTER=1 (leave the cluster up), CSP_BENCH_OPERATOR_FLAGS (extra flags).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
runs=${1:-2}
build=${CSP_BENCH_OP_BUILD:-build-bench-op}
out=${CSP_BENCH_OUT:-/tmp/csp-bench-operator}
nodes=${CSP_BENCH_NODES:-100}
namespaces=${CSP_BENCH_NAMESPACES:-100}
per_ns=${CSP_BENCH_PER_NS:-20}
replicas=${CSP_BENCH_REPLICAS:-5}
# Never the defaults of hack/cluster.sh or of the e2e fixture: other clusters run beside this one.
export CSP_CLUSTER_DIR=${CSP_BENCH_CLUSTER_DIR:-/tmp/csp-bench-cluster}
export CSP_API_PORT=14443 CSP_ETCD_PORT=28790 CSP_ETCD_PEER_PORT=28800
export CSP_KCM_PORT=20457 CSP_SCHEDULER_PORT=20459
helper=(python3 "$root/bench/operator_bench.py")

say() { echo "$(date +%H:%M:%S) operator_bench: $*" >&2; }

# ---- the operator ----
if [ -n "${CSP_OPERATOR_BIN:-}" ]; then
  operator=$CSP_OPERATOR_BIN
else
  say "building csp-operator (Release) in $build"
  cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    -DCSP_BENCH=OFF >/dev/null
  ninja -C "$build" -j2 csp-operator >/dev/null
  operator=$build/operator/cmd/operator/csp-operator
fi
[ -x "$operator" ] || { say "no csp-operator at $operator"; exit 1; }
mkdir -p "$out"

cleanup() {
  if [ "${CSP_BENCH_KEEP_CLUSTER:-0}" = 1 ]; then
    say "cluster kept: CSP_CLUSTER_DIR=$CSP_CLUSTER_DIR hack/cluster.sh down"
  else
    hack/cluster.sh down >&2 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the cluster ----
started=$SECONDS
hack/cluster.sh up --nodes "$nodes" >&2
say "cluster up with $nodes kwok nodes in $((SECONDS - started)) s"
eval "$(hack/cluster.sh env)"
kubectl apply --server-side -f crds/ >/dev/null
kubectl wait --for=condition=Established --timeout=60s \
  crd/containersecuritypolicies.containersecurity.dev crd/policyreports.wgpolicyk8s.io >/dev/null
kubectl apply -k config/rbac >/dev/null
# Every default control, every namespace, action Label.
kubectl apply -f - >/dev/null <<'POLICY'
apiVersion: containersecurity.dev/v1alpha1
kind: ContainerSecurityPolicy
metadata:
  name: bench
spec:
  match: {}
  action: Label
POLICY

started=$SECONDS
"${helper[@]}" create --cluster "$CSP_CLUSTER_DIR" --namespaces "$namespaces" \
  --per-ns "$per_ns" --replicas "$replicas"
pods=$((namespaces * per_ns * replicas))
"${helper[@]}" wait-pods --cluster "$CSP_CLUSTER_DIR" --expect "$pods" >/dev/null
say "$((namespaces * per_ns)) Deployments, $pods Pods Running $((SECONDS - started)) s after the first create"

# ---- the operator's identity: the ServiceAccount of config/rbac, never the admin ----
kubeconfig=$out/csp-operator.kubeconfig
token=$(kubectl create token csp-operator -n csp-system --duration 4h)
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

# ---- the runs ----
read -r -a extra <<<"${CSP_BENCH_OPERATOR_FLAGS:-}"
for run in $(seq "$runs"); do
  "${helper[@]}" reset --cluster "$CSP_CLUSTER_DIR"
  "${helper[@]}" wait-pods --cluster "$CSP_CLUSTER_DIR" --expect "$pods" >/dev/null
  sleep 10 # let the controllers settle after the previous run's rollouts
  echo
  echo "=== run $run of $runs ($(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  "${helper[@]}" measure --cluster "$CSP_CLUSTER_DIR" --operator "$operator" \
    --kubeconfig "$kubeconfig" --log "$out/operator-$run.log" --json "$out/run-$run.json" \
    --samples "${CSP_BENCH_SAMPLES:-50}" --quiet "${CSP_BENCH_QUIET:-60}" -- "${extra[@]}"
  echo "  (load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); figures in $out/run-$run.json)"
done
