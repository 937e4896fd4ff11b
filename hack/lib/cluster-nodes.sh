# shellcheck shell=bash
# kwok-managed fake Nodes: plain v1.Node objects that kwok marks Ready and keeps alive with
# lease heartbeats; pods scheduled to them reach Running without any container runtime.
# Needs cluster-common.sh.

kubectl_admin() { "$CSP_BIN/kubectl" --kubeconfig="$(admin_kubeconfig)" "$@"; }

# Node manifests kwok-node-0 .. kwok-node-(N-1). No kwok taint: there are no real nodes, so
# every workload is meant to land on these.
kwok_nodes_yaml() {
  local i name
  for ((i = 0; i < $1; i++)); do
    name=kwok-node-$i
    cat <<NODE
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    type: kwok
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
NODE
  done
}

# Creates the nodes (existing ones are left as they are) and waits until all are Ready.
ensure_kwok_nodes() {
  local n=$1 out
  kwok_nodes_yaml "$n" >"$CSP_CLUSTER_DIR/kwok-nodes.yaml"
  out=$(kubectl_admin apply -f "$CSP_CLUSTER_DIR/kwok-nodes.yaml" 2>&1) ||
    die "creating $n kwok nodes failed: $out"
  if ! out=$(kubectl_admin wait --for=condition=Ready node -l type=kwok \
    --timeout="${CSP_START_TIMEOUT}s" 2>&1); then
    component_pid kwok >/dev/null || show_log_tail kwok
    die "kwok nodes did not become Ready within ${CSP_START_TIMEOUT}s: $out"
  fi
}

# The controller manager creates the `default` ServiceAccount of each namespace; pods cannot
# be created in a namespace before it exists.
wait_default_service_account() {
  local deadline=$((SECONDS + CSP_START_TIMEOUT))
  until kubectl_admin -n default get serviceaccount default >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      show_log_tail kube-controller-manager
      die "the default ServiceAccount did not appear within ${CSP_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}
