#!/usr/bin/env bash
# The admission benchmark of docs/benchmarks.md (issue 12): on a local cluster of its own
# (hack/cluster.sh, 3 kwok nodes, its own folder and ports), Pod creates at each concurrency
# (default 50, 200, 500 clients, each a bounded loop of creates on one TLS keep-alive
# connection) with (a) no webhook, (b) our webhook (a Deny policy with every control but
# imageSignature, matching the bench namespace; compliant Pods, so every create is admitted after
# the webhook judged it) and (c) the generated ValidatingAdmissionPolicy. Then the webhook
# endpoint alone, 1 and 2 client threads for 20 s each, with the operator's RSS and CPU time
# sampled before and after. Prints a table; asserts nothing. The cluster is torn down on exit.
#   bench/admission_bench.sh
# The operator runs in (a) too, with the same policy at `admission: None`, so that its
# reconciling of the new Pods loads the machine alike in every case: only admission differs.
# Settings: CSP_ADMISSION_CONCURRENCY ("50 200 500"), CSP_ADMISSION_CREATES (creates per client,
# 10), CSP_ADMISSION_ENDPOINT_SECONDS (20), CSP_ADMISSION_BUILD (build-bench-admission),
# CSP_ADMISSION_BUILD_TYPE (Release), CSP_ADMISSION_OUT (/tmp/csp-admission: results.jsonl,
# operator log), CSP_ADMISSION_CLUSTER_DIR (/tmp/csp-admission-cluster),
# CSP_ADMISSION_WEBHOOK_PORT (19443), CSP_ADMISSION_CASES (of "baseline webhook vap", all),
# CSP_ADMISSION_OPERATOR_FLAGS (extra csp-operator flags), CSP_ADMISSION_RATE (unset: every client
# sends its next create when the last returned, which saturates this cluster's apiserver from
# about 50 clients on, so latency is mostly queueing; a number: all clients together pace
# that many creates per second, open loop, to compare latencies below saturation).
# Exit status: 0 when every run was measured without errors, 1 when a run saw errors (or a
# compliant Pod refused), 2 when it could not measure.
set -Eeuo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=../hack/lib/wait-crds.sh
source hack/lib/wait-crds.sh
build=${CSP_ADMISSION_BUILD:-build-bench-admission}
out=${CSP_ADMISSION_OUT:-/tmp/csp-admission}
read -r -a concurrency <<<"${CSP_ADMISSION_CONCURRENCY:-50 200 500}"
creates=${CSP_ADMISSION_CREATES:-10}
endpoint_seconds=${CSP_ADMISSION_ENDPOINT_SECONDS:-20}
cases=" ${CSP_ADMISSION_CASES:-baseline webhook vap} "
read -r -a operator_flags <<<"${CSP_ADMISSION_OPERATOR_FLAGS:-}"
rate=()
[ -z "${CSP_ADMISSION_RATE:-}" ] || rate=(--rate "$CSP_ADMISSION_RATE")
ns=admission-bench
policy=admission-bench
webhook=deny.containersecurity.dev
# Never the defaults of hack/cluster.sh or the e2e fixture, nor the other benchmarks' ports.
export CSP_CLUSTER_DIR=${CSP_ADMISSION_CLUSTER_DIR:-/tmp/csp-admission-cluster}
export CSP_API_PORT=16443 CSP_ETCD_PORT=30790 CSP_ETCD_PEER_PORT=30800
export CSP_KCM_PORT=22457 CSP_SCHEDULER_PORT=22459
export CSP_BUILD_DIR=$build CSP_OPERATOR_PORT=18091
export CSP_WEBHOOK_PORT=${CSP_ADMISSION_WEBHOOK_PORT:-19443}
helper=(python3 "$root/bench/admission_bench.py")
load=$build/bench/admission_load
results=$out/results.jsonl

say() { echo "$(date +%H:%M:%S) admission_bench: $*" >&2; }
cannot() { say "cannot measure: $*"; exit 2; }
trap 'say "failed at line $LINENO: $BASH_COMMAND"; exit 2' ERR

build_type=${CSP_ADMISSION_BUILD_TYPE:-Release}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
say "building csp-operator and admission_load ($build_type) in $build"
cmake -G Ninja -S . -B "$build" -DCMAKE_BUILD_TYPE="$build_type" -DBUILD_TESTING=OFF \
  -DCSP_E2E=OFF -DCSP_BENCH=ON "${launcher[@]}" >/dev/null
ninja -C "$build" -j2 csp-operator admission_load >/dev/null
rm -rf "$out" && mkdir -p "$out"

cleanup() {
  cp "$CSP_CLUSTER_DIR/operator/log" "$out/operator.log" 2>/dev/null || true
  hack/operator.sh stop >&2 2>/dev/null || true
  hack/cluster.sh down >&2 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
hack/cluster.sh up --nodes 3 >&2
eval "$(hack/cluster.sh env)"
pki=$CSP_CLUSTER_DIR/pki
kubectl apply --server-side -f crds/ >/dev/null
wait_crds_established crd/containersecuritypolicies.containersecurity.dev
kubectl create namespace "$ns" >/dev/null
for _ in $(seq 120); do
  kubectl get serviceaccount default -n "$ns" >/dev/null 2>&1 && break
  sleep 0.5
done
kubectl get serviceaccount default -n "$ns" >/dev/null || cannot "no ServiceAccount default in $ns"

# set_admission None|Deny: the bench policy, every control but imageSignature at its strictest.
# set_admission None|Warn|Deny [MODE]: MODE is spec.admissionMode (default Webhook).
set_admission() {
  kubectl apply --server-side --force-conflicts --field-manager=admission-bench -f - \
    >/dev/null <<POLICY
apiVersion: containersecurity.dev/v1alpha1
kind: ContainerSecurityPolicy
metadata:
  name: $policy
spec:
  match:
    namespaceSelector:
      matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: In, values: [$ns]}
  action: Audit
  admission: $1
  admissionMode: ${2:-Webhook}
  controls:
    privileged: {enabled: true}
    seccomp: {enabled: true}
    appArmor: {enabled: true, requireExplicit: true}
    capabilities: {enabled: true, allowed: [], requireDropAll: true}
    runAsNonRoot: {enabled: true}
    runtimeSocket: {enabled: true}
    hostPath: {enabled: true, allowed: []}
    imageSignature: {enabled: false}
POLICY
}

# True when a privileged Pod would be refused now (server-side dry run: nothing is stored); the
# apiserver's answer is left in $answer.
violator_refused() {
  answer=$(kubectl create --dry-run=server -n "$ns" -f - 2>&1 <<'VIOLATOR'
{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "violator"},
 "spec": {"schedulerName": "csp-bench-unscheduled",
          "containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10",
                          "securityContext": {"privileged": true}}]}}
VIOLATOR
  ) && return 1
  grep -qE "denied (the )?request" <<<"$answer" || cannot "unexpected answer to a dry run: $answer"
}

# wait_admission refused|admitted [WHO]: until the apiserver gives a violator that answer (the
# operator writes the ValidatingWebhookConfiguration; the apiserver picks it up within a moment),
# and a refusal's message holds WHO ("admission webhook" or "ValidatingAdmissionPolicy").
wait_admission() {
  local want=$1 who=${2:-} now
  for _ in $(seq 120); do
    if violator_refused; then now=refused; else now=admitted; fi
    [ "$now" = "$want" ] && { [ "$now" = admitted ] || grep -q "$who" <<<"$answer"; } && return 0
    sleep 0.5
  done
  kubectl get validatingwebhookconfiguration -o yaml >"$out/webhooks.yaml" 2>&1 || true
  cannot "a violator is still $now after 60 s (webhook configurations in $out/webhooks.yaml)"
}

remove_pods() {
  # In parallel batches: one kubectl deletes its Pods one after another (2000 took 2.5 minutes
  # here), and a deletecollection of thousands outlived the apiserver's 60 s request timeout.
  # Pods without a node go at once (no kubelet to wait for).
  kubectl get pods -n "$ns" -o name |
    xargs -r -n 250 -P 8 kubectl delete -n "$ns" --wait=false >/dev/null ||
    say "deleting Pods failed in part; waiting for what was deleted"
  local left
  for _ in $(seq 600); do
    left=$(kubectl get pods -n "$ns" -o name | wc -l)
    [ "$left" -le 10 ] && return 0
    sleep 0.5
  done
  cannot "$left Pods left in $ns 5 minutes after deleting them"
}

operator_pid() { cat "$CSP_CLUSTER_DIR/operator/pid"; }
apiserver_pid() { cat "$CSP_CLUSTER_DIR/pids/kube-apiserver.pid"; }
etcd_pid() { cat "$CSP_CLUSTER_DIR/pids/etcd.pid"; }

# The operator and the control plane have worked off the previous run (reports, deletions).
settle() {
  "${helper[@]}" quiet --pid "$(operator_pid)" --pid "$(apiserver_pid)" --pid "$(etcd_pid)"
}

# create_pods CASE CLIENTS: one run of admission_load apiserver, appended to the results. Its
# default Pod passes every control at its strictest (non-root, RuntimeDefault seccomp and
# AppArmor, drop ALL, no privilege escalation, no hostPath), and names a scheduler that does
# not exist, so that nothing but the create touches it: the figures are admission's.
create_pods() {
  local case=$1 clients=$2 line
  settle
  say "$case: $clients clients x $creates creates ${rate[*]}"
  line=$(timeout 900 "$load" apiserver --server "https://127.0.0.1:$CSP_API_PORT" \
    --cacert "$pki/ca.crt" --client-cert "$pki/apiserver.crt" --client-key "$pki/apiserver.key" \
    --namespace "$ns" --clients "$clients" --creates-per-client "$creates" "${rate[@]}") ||
    cannot "admission_load apiserver failed"
  say "  $line"
  echo "{\"case\": \"$case\", \"result\": $line}" >>"$results"
  remove_pods
}

set_admission None
hack/operator.sh start "${operator_flags[@]}" >&2
wait_admission admitted
wants() { [[ $cases == *" $1 "* ]]; }

for clients in "${concurrency[@]}"; do
  echo
  echo "=== $clients clients ($(date -u +%FT%TZ)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)) ==="
  # (a) no webhook: the policy asks for no admission, so no webhook rule exists.
  if wants baseline; then
    set_admission None
    wait_admission admitted
    create_pods baseline "$clients"
  fi

  # (b) ours: the Deny policy; the webhook judges every create.
  if wants webhook; then
    set_admission Deny
    wait_admission refused "admission webhook"
    create_pods webhook "$clients"
  fi

  # (c) the generated ValidatingAdmissionPolicy: the apiserver judges in CEL. The bench Pod uses
  # no csp-agent profile and has no owner, so no create is deferred to the webhook.
  if wants vap; then
    set_admission Deny ValidatingAdmissionPolicy
    wait_admission refused "ValidatingAdmissionPolicy"
    create_pods vap "$clients"
  fi
done

# ---- the webhook endpoint alone, against the URL and CA the operator wrote for the apiserver
if ! wants webhook; then
  echo
  "${helper[@]}" table --results "$results" && exit 0 || exit $?
fi
set_admission Deny
wait_admission refused "admission webhook"
config=$(kubectl get validatingwebhookconfiguration -o json)
client_config() {
  jq -r --arg w "$webhook" \
    "[.items[].webhooks[]? | select(.name == \$w)][0].clientConfig.$1 // empty" <<<"$config"
}
url=$(client_config url)
client_config caBundle | base64 -d >"$out/webhook-ca.crt"
[ -n "$url" ] || cannot "no clientConfig.url in webhook $webhook"
[ -s "$out/webhook-ca.crt" ] || cannot "no caBundle in webhook $webhook"
say "webhook endpoint $url"
for threads in 1 2; do
  settle
  before=$("${helper[@]}" proc --pid "$(operator_pid)")
  line=$(timeout $((endpoint_seconds + 120)) "$load" webhook --url "$url" \
    --cacert "$out/webhook-ca.crt" --threads "$threads" --seconds "$endpoint_seconds" \
    --namespace "$ns") || cannot "admission_load webhook failed"
  after=$("${helper[@]}" proc --pid "$(operator_pid)")
  say "  $line"
  echo "{\"case\": \"endpoint\", \"result\": $line, \"before\": $before," \
    "\"after\": $after}" >>"$results"
done

echo
status=0
"${helper[@]}" table --results "$results" || status=$?
say "results in $results, operator log $out/operator.log"
exit "$status"
