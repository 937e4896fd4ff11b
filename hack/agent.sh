#!/usr/bin/env bash
# Runs csp-agent as local processes against the cluster of hack/cluster.sh: one per kwok node
# and for the real node (hack/cluster.sh up --real-node), each with its own --root folder
# standing in for that node's file system (the real node's kubelet reads its seccomp profiles
# there), under a token of the agent's own ServiceAccount bound to config/agent's RBAC (as the
# DaemonSet's Pods would run).
#
#   hack/agent.sh start [FLAGS...]   apply config/agent's RBAC, start one agent per node
#   hack/agent.sh stop               SIGTERM every agent, wait
#   hack/agent.sh logs [NODE]        the log so far (of every node, or of one)
#   hack/agent.sh root NODE          the folder that stands in for NODE's /
#
# Settings: CSP_BUILD_DIR (default build) and the cluster's own (CSP_CLUSTER_DIR, ...; see
# hack/cluster.sh).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${CSP_BUILD_DIR:-build}
binary=$build/operator/cmd/agent/csp-agent
eval "$(hack/cluster.sh env)"
source hack/lib/sa-kubeconfig.sh
# The cluster's folder: where its admin kubeconfig lies (hack/cluster.sh env).
dir=$(dirname "$KUBECONFIG")/agents

die() { echo "agent.sh: $*" >&2; exit 1; }

nodes() { kubectl get nodes -l 'type in (kwok,real)' -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'; }

start() {
  [ -x "$binary" ] || die "$binary is not built (cmake --build $build --target csp-agent)"
  mkdir -p "$dir"
  # The RBAC only: these processes stand in for the DaemonSet's Pods on the kwok nodes. Its
  # namespace comes with the operator's RBAC (config/rbac), which may not be applied yet.
  kubectl apply -f config/rbac/namespace.yaml >/dev/null
  for f in service_account role role_binding; do kubectl apply -f "config/agent/$f.yaml" >/dev/null; done
  local node
  write_sa_kubeconfig csp-agent "$dir/kubeconfig"
  for node in $(nodes); do
    local pidfile=$dir/$node.pid
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "csp-agent for $node already running (pid $(cat "$pidfile"))"
      continue
    fi
    mkdir -p "$dir/$node/root"
    "$binary" run --node-name "$node" --root "$dir/$node/root" --kubeconfig "$dir/kubeconfig" \
      --listen-address 127.0.0.1:0 "$@" >"$dir/$node.log" 2>&1 &
    echo $! >"$pidfile"
  done
  # Ready when each node has the default seccomp profile (installed before the API is asked).
  for node in $(nodes); do
    local file=$dir/$node/root/var/lib/kubelet/seccomp/containersecurity/csp-default.json
    for _ in $(seq 1 100); do
      [ -s "$file" ] && break
      kill -0 "$(cat "$dir/$node.pid")" 2>/dev/null || { cat "$dir/$node.log" >&2; die "csp-agent for $node exited"; }
      sleep 0.1
    done
    [ -s "$file" ] || die "csp-agent for $node wrote nothing in 10 s; see $dir/$node.log"
    echo "csp-agent for $node running (pid $(cat "$dir/$node.pid"), root $dir/$node/root, log $dir/$node.log)"
  done
}

stop() {
  shopt -s nullglob
  local pidfile pid
  for pidfile in "$dir"/*.pid; do
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pidfile in "$dir"/*.pid; do
    pid=$(cat "$pidfile")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

logs() {
  shopt -s nullglob
  if [ -n "${1:-}" ]; then cat "$dir/$1.log"; return; fi
  local log
  for log in "$dir"/*.log; do sed "s|^|$(basename "$log" .log): |" "$log"; done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  logs) logs "${2:-}" ;;
  root) [ -n "${2:-}" ] || die "root wants a node name"; echo "$dir/$2/root" ;;
  *) sed -n '6,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
