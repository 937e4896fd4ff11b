#!/usr/bin/env bash
# The csp-operator benchmark of docs/benchmarks.md (issue 4): on a local cluster of its own
# (hack/cluster.sh, 100 kwok nodes, its own folder and ports), 100 namespaces x 20 Deployments
# x 5 replicas (10,000 Pods, one Deployment in four violating) and one Label policy matching
# every namespace. Then, RUNS times: start csp-operator under its ServiceAccount token and
# measure start -> all reports, peak RSS, API requests, report bytes (API JSON and etcd), writes
# in 60 s of steady state and the latency from a violating update to its label and report.
# Prints figures; asserts nothing. The cluster is torn down on exit. Several sizes in one run:
# bench/operator_scale_bench.sh.
#   bench/operator_bench.sh [RUNS]          (default 2; ~12 min, 2 of them waiting for Pods)
# Settings: CSP_OPERATOR_BIN (skip the build), CSP_BENCH_OP_BUILD (build-bench-op),
# CSP_BENCH_CLUSTER_DIR (/tmp/csp-bench-cluster), CSP_BENCH_OUT (/tmp/csp-bench-operator: logs,
# one JSON of figures per run), CSP_BENCH_NODES (100), CSP_BENCH_NAMESPACES (100),
# CSP_BENCH_PER_NS (20), CSP_BENCH_REPLICAS (5), CSP_BENCH_SAMPLES (50), CSP_BENCH_QUIET (60 s),
# CSP_BENCH_KEEP_CLUSTER=1 (leave the cluster up), CSP_BENCH_OPERATOR_FLAGS (extra flags),
# CSP_BENCH_PORTS (bench/lib/operator_bench_common.sh), CSP_KCM_API_QPS/_BURST and
# CSP_SCHEDULER_API_QPS/_BURST (200/400: hack/cluster.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source bench/lib/operator_bench_common.sh
runs=${1:-2}
nodes=${CSP_BENCH_NODES:-100}
namespaces=${CSP_BENCH_NAMESPACES:-100}
per_ns=${CSP_BENCH_PER_NS:-20}
replicas=${CSP_BENCH_REPLICAS:-5}

bench_operator_binary
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP

say "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load average $(load_average)"

# ---- the cluster ----
started=$SECONDS
hack/cluster.sh up --nodes "$nodes" >&2
say "cluster up with $nodes kwok nodes in $((SECONDS - started)) s"
eval "$(hack/cluster.sh env)"
bench_apply_basics

started=$SECONDS
"${helper[@]}" create --cluster "$CSP_CLUSTER_DIR" --namespaces "$namespaces" \
  --per-ns "$per_ns" --replicas "$replicas"
pods=$((namespaces * per_ns * replicas))
"${helper[@]}" wait-pods --cluster "$CSP_CLUSTER_DIR" --expect "$pods" >/dev/null
say "$((namespaces * per_ns)) Deployments, $pods Pods Running $((SECONDS - started)) s after the first create"

bench_operator_kubeconfig

# ---- the runs ----
read -r -a extra <<<"${CSP_BENCH_OPERATOR_FLAGS:-}"
for run in $(seq "$runs"); do
  "${helper[@]}" reset --cluster "$CSP_CLUSTER_DIR"
  "${helper[@]}" wait-pods --cluster "$CSP_CLUSTER_DIR" --expect "$pods" >/dev/null
  sleep 10 # let the controllers settle after the previous run's rollouts
  echo
  echo "=== run $run of $runs ($(date -u +%FT%TZ), load average $(load_average)) ==="
  "${helper[@]}" measure --cluster "$CSP_CLUSTER_DIR" --operator "$operator" \
    --kubeconfig "$kubeconfig" --log "$out/operator-$run.log" --json "$out/run-$run.json" \
    --samples "${CSP_BENCH_SAMPLES:-50}" --quiet "${CSP_BENCH_QUIET:-60}" -- "${extra[@]}"
  echo "  (load average after the run: $(load_average); figures in $out/run-$run.json)"
done
