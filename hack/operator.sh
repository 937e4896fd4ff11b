#!/usr/bin/env bash
# Runs csp-operator as a local process against the cluster of hack/cluster.sh, under a token of
# its own ServiceAccount bound to config/rbac (never the admin), as it would run in a Pod.
#
#   hack/operator.sh start [FLAGS...]   apply config/rbac, mint a token, start it in the background
#   hack/operator.sh stop               SIGTERM (drains, releases the Lease), wait
#   hack/operator.sh logs               the log so far
#
# Settings: CSP_BUILD_DIR (default build), CSP_OPERATOR_PORT (health/metrics, default 18080),
# CSP_WEBHOOK_PORT (the admission webhook on loopback, which the API server calls by URL,
# docs/cluster.md; default 18443; empty: no webhook), and the cluster's own (CSP_CLUSTER_DIR, ...;
# see hack/cluster.sh).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${CSP_BUILD_DIR:-build}
binary=$build/operator/cmd/operator/csp-operator
eval "$(hack/cluster.sh env)"
source hack/lib/sa-kubeconfig.sh
# The cluster's folder: where its admin kubeconfig lies (hack/cluster.sh env).
dir=$(dirname "$KUBECONFIG")/operator
port=${CSP_OPERATOR_PORT:-18080}
webhook_port=${CSP_WEBHOOK_PORT-18443}

die() { echo "operator.sh: $*" >&2; exit 1; }

start() {
  [ -x "$binary" ] || die "$binary is not built (cmake --build $build --target csp-operator)"
  mkdir -p "$dir"
  [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null && die "already running (pid $(cat "$dir/pid"))"
  kubectl apply -k config/rbac >/dev/null
  write_sa_kubeconfig csp-operator "$dir/kubeconfig"
  local webhook=(--webhook-listen-address=)
  if [ -n "$webhook_port" ]; then
    webhook=(--webhook-listen-address "127.0.0.1:$webhook_port"
      --webhook-url "https://127.0.0.1:$webhook_port/validate")
  fi
  "$binary" --kubeconfig "$dir/kubeconfig" --listen-address "127.0.0.1:$port" "${webhook[@]}" \
    "$@" >"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && {
      echo "csp-operator ready (pid $(cat "$dir/pid"), log $dir/log, metrics http://127.0.0.1:$port/metrics)"
      return 0
    }
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/log" >&2; die "csp-operator exited"; }
    sleep 0.2
  done
  die "csp-operator not ready after 20 s; see $dir/log"
}

stop() {
  [ -f "$dir/pid" ] || return 0
  local pid
  pid=$(cat "$dir/pid")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  logs) cat "$dir/log" ;;
  *) sed -n '5,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
