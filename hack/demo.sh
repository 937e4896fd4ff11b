#!/usr/bin/env bash
# The one-command tour: installs the Debian packages, builds the project into build/, starts the
# local cluster (hack/cluster.sh; the first run builds Kubernetes from source, 10-50 min), applies
# the CRDs, the example policies and workloads, shows what the offline scanner says about them,
# starts one csp-agent per kwok node (each with a folder for the node's /) and applies the example
# SecurityProfiles, then runs csp-operator against the cluster (under its own least-privilege
# ServiceAccount) and shows the policies' status, the PolicyReports it wrote, the workloads it
# labeled and scaled down, the profiles installed per node and the agents' node report, and an
# admission Deny policy refusing a privileged Pod. The cluster, the agents and the operator stay
# up at the end.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=lib/wait-crds.sh
source hack/lib/wait-crds.sh
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
  wait_crds_established crd --all
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

profiles=(examples/profiles/*.yaml)
step "starting one csp-agent per kwok node (hack/agent.sh start)"
hack/agent.sh stop
hack/agent.sh start
if [ ${#profiles[@]} -gt 0 ]; then
  step "applying the example SecurityProfiles"
  kubectl apply -f examples/profiles/
fi

step "starting csp-operator (hack/operator.sh start)"
hack/operator.sh stop
hack/operator.sh start

step "waiting for the operator's reports"
for _ in $(seq 1 50); do
  [ "$(kubectl get policyreports -A --no-headers 2>/dev/null | wc -l)" -ge 3 ] && break
  sleep 0.2
done
sleep 1  # the policies' status follows the last namespace by a moment

step "kubectl get csp"
kubectl get csp
step "kubectl get policyreports -A"
kubectl get policyreports -A
step "failing results (kubectl get policyreports -A -o json | jq)"
kubectl get policyreports -A -o json |
  jq -r '.items[] | .metadata.namespace as $ns | .results[] | select(.result == "fail")
         | [$ns, .resources[0].kind, .resources[0].name, .policy, .rule] | @tsv' |
  sort | column -t
step "workloads, labeled and scaled down (-L containersecurity.dev/compliant)"
kubectl get deploy,sts,rc -A -L containersecurity.dev/compliant \
  -o custom-columns='KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name,REPLICAS:.spec.replicas,COMPLIANT:.metadata.labels.containersecurity\.dev/compliant,SCALED-DOWN-FROM:.metadata.annotations.containersecurity\.dev/scaled-down-from'
kubectl get ds,cronjob,pod -A -l containersecurity.dev/compliant -L containersecurity.dev/compliant
step "kubectl get securityprofiles (per-node counts, written by the agents)"
for _ in $(seq 1 100); do
  # Wait until every profile's status counts every node, or 20 s.
  pending=$(kubectl get securityprofiles -o json |
    jq '[.items[] | select((.status.nodeStatus // [] | length) < '"$(kubectl get nodes -l type=kwok --no-headers | wc -l)"')] | length')
  [ "$pending" = 0 ] && break
  sleep 0.2
done
kubectl get securityprofiles
step "kubectl get clusterpolicyreports (the agents' node reports, one per node)"
kubectl get clusterpolicyreports -l app.kubernetes.io/managed-by=csp-agent
step "the node reports' results (kubectl get clusterpolicyreports -l ... -o json | jq)"
kubectl get clusterpolicyreports -l app.kubernetes.io/managed-by=csp-agent -o json |
  jq -r '["NODE","TYPE","PROFILE","RESULT","MESSAGE"], (.items[].results[] | [.properties.node,
         .properties.type, .properties.profile, .result, (.message | .[0:60])]) | @tsv' |
  column -t -s $'\t' | head -20
node=$(kubectl get nodes -l type=kwok -o jsonpath='{.items[0].metadata.name}')
step "the files csp-agent wrote on $node (find \$(hack/agent.sh root $node))"
(cd "$(hack/agent.sh root "$node")" && find . -type f | sort)
step "node-aware rule: a Localhost profile no node has (demo/edge-cache)"
kubectl get policyreports -n demo -o json |
  jq -r '.items[].results[] | select(.resources[0].name == "edge-cache" and .rule == "require-seccomp")
         | "\(.policy): \(.result): \(.message)"'

step "admission: a Deny policy refuses a privileged Pod (examples/admission/)"
kubectl apply -f examples/admission/deny-policy.yaml
# The operator writes the webhook configuration within a second; the API server then asks it.
for _ in $(seq 1 50); do
  kubectl apply --dry-run=server -f examples/admission/privileged-pod.yaml >/dev/null 2>&1 || break
  sleep 0.2
done
kubectl get validatingwebhookconfiguration csp-operator \
  -o custom-columns='NAME:.metadata.name,WEBHOOKS:.webhooks[*].name,FAILURE-POLICY:.webhooks[*].failurePolicy'
echo "\$ kubectl apply -f examples/admission/privileged-pod.yaml"
kubectl apply -f examples/admission/privileged-pod.yaml || true
# Back to reports only: the webhook's rules go with the policy.
kubectl delete -f examples/admission/deny-policy.yaml

step "events the operator recorded (kubectl get events -A --field-selector source=csp-operator)"
kubectl get events -A --field-selector source=csp-operator \
  -o custom-columns='NAMESPACE:.metadata.namespace,OBJECT:.involvedObject.name,REASON:.reason,MESSAGE:.message' |
  head -20

cat <<EOF

The cluster and csp-operator are still running. To use them from your shell:
  eval "\$(hack/cluster.sh env)"
  kubectl get policyreports -A
  kubectl label deploy -n demo storefront containersecurity.dev/compliant-   # put back at once
  curl -s http://127.0.0.1:18080/metrics | grep ^csp_
  hack/operator.sh logs
  hack/agent.sh logs
Stop:
  hack/agent.sh stop
  hack/operator.sh stop
  hack/cluster.sh down
EOF
