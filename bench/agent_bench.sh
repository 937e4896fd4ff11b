#!/usr/bin/env bash
# The csp-agent benchmark of docs/benchmarks.md ("csp-agent"): starts a cluster of its own (own
# folder and ports, so it never touches a developer's or the e2e fixture's), runs one csp-agent
# per kwok node and prints memory, CPU and propagation times (bench/agent_bench.py), then
# brings the cluster down.
#   bench/agent_bench.sh [NODES]            default 100 kwok nodes, one agent each
# Environment: CSP_BENCH_BUILD (build folder, default build-agent-bench, configured Release
# here when new), CSP_BENCH_INSTALL_FLEET (agents for the 100-profile part, default 10),
# CSP_BENCH_CLUSTER_DIR, CSP_BENCH_*_PORT, CSP_BENCH_KEEP_CLUSTER=1 (leave the cluster up),
# CSP_BENCH_OPERATOR=1 (run csp-operator too, without webhook or leader election, and time
# when its node facts take in a change).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../hack/lib/wait-crds.sh
source hack/lib/wait-crds.sh
nodes=${1:-100}
build=${CSP_BENCH_BUILD:-build-agent-bench}
work=$(mktemp -d /tmp/csp-agent-bench-XXXXXX)

export CSP_CLUSTER_DIR=${CSP_BENCH_CLUSTER_DIR:-/tmp/csp-agent-bench-cluster}
# Ports of its own (each overridable), away from the defaults and the e2e fixture's.
export CSP_API_PORT=${CSP_BENCH_API_PORT:-19643} CSP_ETCD_PORT=${CSP_BENCH_ETCD_PORT:-29790} \
  CSP_ETCD_PEER_PORT=${CSP_BENCH_ETCD_PEER_PORT:-29800} CSP_KCM_PORT=${CSP_BENCH_KCM_PORT:-24457} \
  CSP_SCHEDULER_PORT=${CSP_BENCH_SCHEDULER_PORT:-24459}

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCSP_E2E=OFF -DBUILD_TESTING=OFF \
    -DCSP_BENCH=OFF >/dev/null
fi
targets=(csp-agent)
operator_flags=()
if [ -n "${CSP_BENCH_OPERATOR:-}" ]; then
  targets+=(csp-operator)
  operator_flags=(--operator "$build/operator/cmd/operator/csp-operator")
fi
cmake --build "$build" -j2 --target "${targets[@]}" >/dev/null

cleanup() {
  [ -n "${CSP_BENCH_KEEP_CLUSTER:-}" ] || hack/cluster.sh down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

hack/cluster.sh up --nodes "$nodes" >/dev/null
eval "$(hack/cluster.sh env)"
kubectl apply --server-side -f crds/ >/dev/null
wait_crds_established crd/securityprofiles.containersecurity.dev

echo "csp-agent benchmark: $nodes kwok nodes, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $build/operator/cmd/agent/csp-agent ($(grep -m1 CMAKE_BUILD_TYPE "$build/CMakeCache.txt" | cut -d= -f2))"
python3 bench/agent_bench.py --agent "$build/operator/cmd/agent/csp-agent" \
  --kubeconfig "$CSP_CLUSTER_DIR/admin.kubeconfig" --workdir "$work" --nodes "$nodes" \
  --install-fleet "${CSP_BENCH_INSTALL_FLEET:-10}" "${operator_flags[@]}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
