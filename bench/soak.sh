#!/usr/bin/env bash
# The soak benchmark of docs/benchmarks.md ("Soak", issue 11): csp-operator on a local cluster
# of its own (hack/cluster.sh, 3 kwok nodes, its own folder and ports) under MINUTES of churn:
# workloads created, changed and deleted, the two policies edited every 10 minutes,
# kube-apiserver killed and restarted at 1/3 and 2/3 of the run. The operator's RSS, open file
# descriptors and threads are sampled every minute to a CSV; at the end its PolicyReports are
# compared with a fresh `cspctl scan` of the same objects and policies (equal/different), and
# the samples are plotted to an SVG. Not part of CI. The cluster is torn down on exit.
#   bench/soak.sh [MINUTES]          (default 120)
# Settings: CSP_SOAK_BUILD (build-bench-soak: csp-operator and cspctl), CSP_SOAK_BUILD_TYPE
# (Release; RelWithDebInfo is the same code and reuses ccache of a default build), CSP_SOAK_OUT
# (/tmp/csp-soak: CSV, SVG, operator log, compared reports), CSP_SOAK_CLUSTER_DIR
# (/tmp/csp-soak-cluster), CSP_SOAK_NAMESPACES (10), CSP_SOAK_WORKLOADS (150), CSP_SOAK_OPS
# (operations a minute, 20), CSP_SOAK_SEED (11).
# Exit status: 0 when the reports are equal, 1 when they differ, 2 when it could not measure.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../hack/lib/wait-crds.sh
source hack/lib/wait-crds.sh
minutes=${1:-120}
build=${CSP_SOAK_BUILD:-build-bench-soak}
out=${CSP_SOAK_OUT:-/tmp/csp-soak}
# Never the defaults of hack/cluster.sh, the e2e fixture or operator_bench.sh.
export CSP_CLUSTER_DIR=${CSP_SOAK_CLUSTER_DIR:-/tmp/csp-soak-cluster}
export CSP_API_PORT=15443 CSP_ETCD_PORT=29790 CSP_ETCD_PEER_PORT=29800
export CSP_KCM_PORT=21457 CSP_SCHEDULER_PORT=21459
export CSP_BUILD_DIR=$build CSP_OPERATOR_PORT=18090 CSP_WEBHOOK_PORT=18453
driver=(python3 "$root/bench/soak.py")

say() { echo "$(date +%H:%M:%S) soak: $*" >&2; }

build_type=${CSP_SOAK_BUILD_TYPE:-Release}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
say "building csp-operator and cspctl ($build_type) in $build"
cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE="$build_type" -DBUILD_TESTING=OFF \
  -DCSP_BENCH=OFF "${launcher[@]}" >/dev/null
ninja -C "$build" -j2 csp-operator cspctl >/dev/null
cspctl=$build/operator/cmd/scan/cspctl
rm -rf "$out" && mkdir -p "$out"

# The cluster goes with the run: a soak's state is not worth keeping, its CSV and log are.
cleanup() {
  cp "$(dirname "${KUBECONFIG:-/nonexistent/x}")/operator/log" "$out/operator.log" 2>/dev/null || true
  hack/operator.sh stop >&2 || true
  hack/cluster.sh down >&2 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $minutes minutes"
hack/cluster.sh up --nodes 3 >&2
eval "$(hack/cluster.sh env)"
kubectl apply --server-side -f crds/ >/dev/null
wait_crds_established crd/containersecuritypolicies.containersecurity.dev \
  crd/policyreports.wgpolicyk8s.io
# A leader that cannot renew its Lease for --renew-deadline exits (as client-go's do, for the
# Pod to be restarted). The 20 s apiserver outages stay within these deadlines, so one process
# lives through the whole run and its RSS and descriptors tell whether reconnecting leaks.
hack/operator.sh start --log-format json --lease-duration 60 --renew-deadline 45 \
  --retry-period 5 >&2
cp "$(dirname "$KUBECONFIG")/operator/pid" "$out/operator.pid"

"${driver[@]}" run --minutes "$minutes" --pid-file "$out/operator.pid" --csv "$out/samples.csv" \
  --cluster-script hack/cluster.sh --namespaces "${CSP_SOAK_NAMESPACES:-10}" \
  --workloads "${CSP_SOAK_WORKLOADS:-150}" --ops "${CSP_SOAK_OPS:-20}" --seed "${CSP_SOAK_SEED:-11}"

# The operator catches up with the last changes within seconds; compare until equal, for up to
# two minutes, so that a report still being written is not counted as a difference.
status=1
for _ in 1 2 3 4 5; do
  sleep 20
  status=0
  "${driver[@]}" compare --cspctl "$cspctl" --out "$out/compare" || status=$?
  [ "$status" = 1 ] || break
done
"${driver[@]}" plot --csv "$out/samples.csv" --svg "$out/soak.svg"
say "CSV $out/samples.csv, plot $out/soak.svg, operator log $out/operator.log"
exit "$status"
