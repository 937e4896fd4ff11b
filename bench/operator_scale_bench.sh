#!/usr/bin/env bash
# csp-operator at several cluster sizes in one run (issue 17; docs/benchmarks.md, "csp-operator
# at scale"). One cluster of its own (hack/cluster.sh, the folder and ports of
# bench/operator_bench.sh) grows from size to size: for each size of SIZES Pods it adds kwok
# nodes (one per CSP_SCALE_PODS_PER_NODE Pods) and namespaces (one per PER_NS x REPLICAS Pods of
# Deployments), each holding PER_NS Deployments of REPLICAS, and STATEFULSETS (2 replicas),
# DAEMONSETS (one Pod each) and CRONJOBS (suspended), one workload in four violating. Then it
# measures the operator there (bench/operator_bench.py measure: start -> all reports and
# labels, peak and
# settled RSS, CPU, requests by verb, report bytes, 429s, writes in QUIET s of steady state, the
# violating change -> label/report latency while CHURN workloads change a second, a restart).
# Prints figures, writes one JSON per size to CSP_BENCH_OUT, then the figures of all sizes to
# $CSP_SCALE_DOCS/operator-scale.json and a plot (RSS and times against size) to
# $CSP_SCALE_DOCS/img/operator-scale.png (gnuplot: hack/install-deps.sh --bench-extras).
# Asserts nothing. The cluster is torn down on exit.
#   bench/operator_scale_bench.sh            sizes 10,000 50,000 100,000 Pods
#   CSP_SCALE_SIZES=1000 CSP_SCALE_QUIET=20 CSP_SCALE_DOCS=/tmp/smoke bench/operator_scale_bench.sh
# Settings: CSP_SCALE_SIZES ("10000 50000 100000"), CSP_SCALE_PER_NS (100), CSP_SCALE_REPLICAS
# (5), CSP_SCALE_STATEFULSETS (2), CSP_SCALE_DAEMONSETS (2), CSP_SCALE_CRONJOBS (2),
# CSP_SCALE_PODS_PER_NODE (100), CSP_SCALE_QUIET (300 s), CSP_SCALE_CHURN (50 a second),
# CSP_SCALE_SAMPLES (50), CSP_NODE_LEASE_SECONDS (160), CSP_SCALE_STOP_AT (HH:MM UTC: start no size after it), CSP_SCALE_DOCS
# (docs), CSP_SCALE_APPLY (manifests applied before the first size, e.g. the FlowSchema of
# config/flowcontrol), and those of bench/lib/operator_bench_common.sh (CSP_OPERATOR_BIN,
# CSP_BENCH_OUT, CSP_BENCH_OPERATOR_FLAGS, CSP_BENCH_KEEP_CLUSTER, CSP_BENCH_CLUSTER_DIR,
# CSP_BENCH_PORTS, CSP_KCM_API_QPS, ...).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source bench/lib/operator_bench_common.sh
# A kwok node renews its Lease every quarter of this: 40 s (the default) is 100 writes a second
# at 1,000 nodes, a load a real control plane spreads over its own machines but which here takes
# the two cores the operator is measured on.
export CSP_NODE_LEASE_SECONDS=${CSP_NODE_LEASE_SECONDS:-160}
sizes=${CSP_SCALE_SIZES:-10000 50000 100000}
per_ns=${CSP_SCALE_PER_NS:-100}
replicas=${CSP_SCALE_REPLICAS:-5}
statefulsets=${CSP_SCALE_STATEFULSETS:-2}
daemonsets=${CSP_SCALE_DAEMONSETS:-2}
cronjobs=${CSP_SCALE_CRONJOBS:-2}
pods_per_node=${CSP_SCALE_PODS_PER_NODE:-100}
docs=${CSP_SCALE_DOCS:-docs}

bench_operator_binary
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP
say "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load average $(load_average)"
read -r -a extra <<<"${CSP_BENCH_OPERATOR_FLAGS:-}"

created_ns=0
measured=()
for size in $sizes; do
  if [ -n "${CSP_SCALE_STOP_AT:-}" ] && [[ $(date -u +%H:%M) > "$CSP_SCALE_STOP_AT" ]]; then
    say "$(date -u +%H:%M) is past CSP_SCALE_STOP_AT=$CSP_SCALE_STOP_AT: size $size not started"
    break
  fi
  namespaces=$(((size + per_ns * replicas - 1) / (per_ns * replicas)))
  nodes=$(((size + pods_per_node - 1) / pods_per_node))
  pods=$((namespaces * (per_ns * replicas + statefulsets * 2 + daemonsets)))
  echo
  echo "=== size $size: $nodes nodes, $namespaces namespaces, $pods Pods ($(date -u +%FT%TZ), load average $(load_average)) ==="
  started=$SECONDS
  hack/cluster.sh up --nodes "$nodes" >&2
  eval "$(hack/cluster.sh env)"
  if [ "$created_ns" = 0 ]; then
    bench_apply_basics
    for manifest in ${CSP_SCALE_APPLY:-}; do
      if [ -f "$manifest/kustomization.yaml" ]; then
        kubectl apply -k "$manifest" >/dev/null
      else
        kubectl apply -f "$manifest" >/dev/null
      fi
    done
    bench_operator_kubeconfig
  fi
  say "$nodes nodes Ready after $((SECONDS - started)) s"
  started=$SECONDS
  "${helper[@]}" create --cluster "$CSP_CLUSTER_DIR" --first-ns "$created_ns" \
    --namespaces "$namespaces" --per-ns "$per_ns" --replicas "$replicas" \
    --statefulsets "$statefulsets" --daemonsets "$daemonsets" --cronjobs "$cronjobs" --nodes "$nodes"
  created_ns=$namespaces
  "${helper[@]}" wait-pods --cluster "$CSP_CLUSTER_DIR" --expect "$pods" \
    --timeout $((1800 + pods / 20)) >/dev/null
  pods_s=$((SECONDS - started))
  say "$pods Pods Running $pods_s s after the first create (load average $(load_average))"
  "${helper[@]}" reset --cluster "$CSP_CLUSTER_DIR"
  sleep 10 # let the controllers settle after the previous size's rollouts
  "${helper[@]}" measure --cluster "$CSP_CLUSTER_DIR" --operator "$operator" \
    --kubeconfig "$kubeconfig" --log "$out/operator-$size.log" --json "$out/scale-$size.json" \
    --samples "${CSP_SCALE_SAMPLES:-50}" --quiet "${CSP_SCALE_QUIET:-300}" \
    --churn "${CSP_SCALE_CHURN:-50}" --measure-timeout $((600 + pods / 20)) -- "${extra[@]}"
  python3 bench/operator_scale_plot.py annotate "$out/scale-$size.json" --size "$size" \
    --nodes "$nodes" --pods-start-s "$pods_s"
  measured+=("$out/scale-$size.json")
  echo "  (load average after size $size: $(load_average); figures in $out/scale-$size.json)"
done
[ ${#measured[@]} -gt 0 ] || { say "no size measured"; exit 1; }
mkdir -p "$docs/img"
python3 bench/operator_scale_plot.py summarize "${measured[@]}" \
  --json "$docs/operator-scale.json" --png "$docs/img/operator-scale.png"
