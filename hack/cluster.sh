#!/usr/bin/env bash
# A local Kubernetes control plane as loopback processes: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (fake nodes), built from their Go modules.
# No container engine needed. See docs/cluster.md.
#
#   hack/cluster.sh build              build (or reuse) the binaries
#   hack/cluster.sh up [--nodes N] [--real-node]
#                                      start a cluster with N kwok nodes (default 3); with
#                                      --real-node also containerd + kubelet as node
#                                      csp-real-node (root only; hack/lib/real-node.sh)
#   hack/cluster.sh status             what runs; exit 0 only when the cluster is healthy
#   hack/cluster.sh env                eval "$(hack/cluster.sh env)" sets KUBECONFIG and PATH
#   hack/cluster.sh down               stop the processes `up` started and remove the folder
#   hack/cluster.sh kill COMPONENT     SIGKILL one component (fault tests), keep the folder
#   hack/cluster.sh start COMPONENT    start a component that is not running; wait until healthy
#
# Settings (environment; see hack/lib/cluster-common.sh): CSP_CLUSTER_DIR, CSP_API_PORT,
# CSP_ETCD_PORT, CSP_ETCD_PEER_PORT, CSP_KCM_PORT, CSP_SCHEDULER_PORT, CSP_NODES,
# CSP_START_TIMEOUT, CSP_STOP_GRACE, CSP_KCM_API_QPS, CSP_KCM_API_BURST, CSP_SCHEDULER_API_QPS,
# CSP_SCHEDULER_API_BURST, CSP_NODE_LEASE_SECONDS; with --real-node CSP_KUBELET_PORT and
# CSP_KUBELET_HEALTHZ_PORT (10250, 10248).
set -euo pipefail
hack=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$hack/lib/cluster-common.sh"
source "$hack/lib/cluster-pki.sh"
source "$hack/lib/cluster-components.sh"
source "$hack/lib/cluster-nodes.sh"
source "$hack/lib/real-node.sh"

usage() {
  sed -n '6,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# Serialises up and down of one cluster folder, so that two concurrent `up` calls (say, two
# ctest runs) cannot both start processes in it. The lock file sits beside the folder so that
# it outlives `down`, which removes the folder.
lock_cluster() {
  mkdir -p "$(dirname "$CSP_CLUSTER_DIR")"
  exec 9>"$CSP_CLUSTER_DIR.lock"
  flock -w 600 9 || die "another hack/cluster.sh has held $CSP_CLUSTER_DIR.lock for 10 minutes"
}

# Builds the binaries once per version set (hack/versions.env) and sets CSP_BIN. The build
# itself holds a lock so that two callers never write the same cache at once.
build_binaries() {
  command -v flock >/dev/null || die "flock (util-linux) is required"
  mkdir -p "$CSP_CACHE_ROOT"
  exec 8>"$CSP_CACHE_ROOT/build.lock"
  if ! flock -n 8; then
    say "waiting for another build of the control plane to finish"
    flock 8
  fi
  CSP_BIN=$("$hack/build-control-plane.sh") ||
    die "building the control plane failed (messages above; log under $CSP_CACHE_ROOT/control-plane/)"
  exec 8<&-
}

# True when every component runs and the apiserver is ready.
cluster_healthy() {
  local c
  for c in "${CSP_COMPONENTS[@]}"; do component_pid "$c" >/dev/null || return 1; done
  probe kube-apiserver "$(component_health_url kube-apiserver)"
}

check_ports() {
  local var port user busy=() seen=" "
  local vars=(CSP_API_PORT CSP_ETCD_PORT CSP_ETCD_PEER_PORT CSP_KCM_PORT CSP_SCHEDULER_PORT)
  [ "$CSP_REAL_NODE" = 0 ] || vars+=(CSP_KUBELET_PORT CSP_KUBELET_HEALTHZ_PORT)
  for var in "${vars[@]}"; do
    port=${!var}
    is_port_number "$port" || die "$var=$port is not a TCP port number"
    [[ $seen == *" $port "* ]] && die "$var=$port is used twice; each component needs its own port"
    seen+="$port "
    user=$(port_user "$port")
    [ -z "$user" ] || busy+=("  port $port ($var) is in use: $user")
  done
  if [ ${#busy[@]} -gt 0 ]; then
    printf '%s\n' "${busy[@]}" >&2
    die "ports in use; stop what holds them or set other ports (CSP_*_PORT, see docs/cluster.md)"
  fi
}

write_cluster_env() {
  {
    printf '# Settings of the cluster in this folder, read by hack/cluster.sh down/status/env.\n'
    local v
    for v in CSP_BIN CSP_API_PORT CSP_ETCD_PORT CSP_ETCD_PEER_PORT CSP_KCM_PORT \
      CSP_SCHEDULER_PORT CSP_NODES CSP_REAL_NODE CSP_KUBELET_PORT CSP_KUBELET_HEALTHZ_PORT \
      CSP_KCM_API_QPS CSP_KCM_API_BURST CSP_SCHEDULER_API_QPS CSP_SCHEDULER_API_BURST \
      CSP_NODE_LEASE_SECONDS; do
      printf '%s=%q\n' "$v" "${!v}"
    done
  } >"$CSP_CLUSTER_DIR/cluster.env"
}

# How to reach this cluster from a shell, naming the folder when it is not the default one.
print_usage_hint() {
  local prefix=""
  [ -z "${CSP_CLUSTER_DIR_FROM_ENV:-}" ] || prefix="CSP_CLUSTER_DIR=$(printf %q "$CSP_CLUSTER_DIR") "
  say "use it:  eval \"\$(${prefix}hack/cluster.sh env)\"; kubectl get nodes"
  say "stop it: ${prefix}hack/cluster.sh down"
}

UP_DONE=0
on_up_exit() {
  [ "$UP_DONE" = 1 ] && return 0
  say "start-up failed; stopping what was started"
  real_node_down || true
  stop_components || true
  say "logs kept in $CSP_CLUSTER_DIR/logs ('hack/cluster.sh down' removes the folder)"
}

cmd_up() {
  local nodes=$CSP_NODES started=$SECONDS c
  while [ $# -gt 0 ]; do
    case $1 in
      --nodes) [ $# -ge 2 ] || usage; nodes=$2; shift 2 ;;
      --nodes=*) nodes=${1#--nodes=}; shift ;;
      --real-node) CSP_REAL_NODE=1; shift ;;
      *) usage ;;
    esac
  done
  [[ $nodes =~ ^[1-9][0-9]*$ ]] || die "--nodes wants a positive number, got '$nodes'"
  CSP_NODES=$nodes
  command -v openssl >/dev/null || die "openssl is required (hack/install-deps.sh installs it)"
  command -v curl >/dev/null || die "curl is required (hack/install-deps.sh installs it)"
  command -v setsid >/dev/null || die "setsid (util-linux) is required"

  local real_node=$CSP_REAL_NODE
  [ "$real_node" = 0 ] || real_node_check
  build_binaries
  lock_cluster

  if [ -e "$CSP_CLUSTER_DIR" ]; then
    if [ ! -f "$(cluster_marker)" ]; then
      [ -z "$(ls -A "$CSP_CLUSTER_DIR")" ] ||
        die "$CSP_CLUSTER_DIR exists and was not made by hack/cluster.sh; choose another CSP_CLUSTER_DIR"
    elif (load_cluster_env && cluster_healthy); then
      # Already up: only make sure the requested nodes exist.
      load_cluster_env
      say "already up in $CSP_CLUSTER_DIR (API https://127.0.0.1:$CSP_API_PORT)"
      [ "$real_node" = 0 ] || real_node_pid kubelet >/dev/null ||
        die "this cluster runs without --real-node; 'hack/cluster.sh down' first"
      ensure_kwok_nodes "$nodes"
      print_usage_hint
      return 0
    else
      say "found a stopped or broken cluster in $CSP_CLUSTER_DIR; starting afresh"
      (load_cluster_env || true; real_node_down; stop_components) || exit 1
      rm -rf "$CSP_CLUSTER_DIR"
    fi
  fi
  check_ports

  mkdir -p "$CSP_CLUSTER_DIR"
  touch "$(cluster_marker)"
  write_cluster_env
  ln -sfn "$CSP_BIN" "$CSP_CLUSTER_DIR/bin"
  trap on_up_exit EXIT
  trap 'exit 130' INT TERM HUP

  generate_pki
  generate_tokens
  generate_kubeconfigs

  say "starting etcd and kube-apiserver"
  for c in etcd kube-apiserver; do
    start_component "$c"
    wait_component "$c"
  done
  say "starting kube-controller-manager, kube-scheduler and kwok"
  for c in kube-controller-manager kube-scheduler kwok; do start_component "$c"; done
  for c in kube-controller-manager kube-scheduler kwok; do wait_component "$c"; done

  say "creating $nodes kwok nodes"
  ensure_kwok_nodes "$nodes"
  wait_default_service_account
  [ "$CSP_REAL_NODE" = 0 ] || real_node_up

  UP_DONE=1
  say "up in $((SECONDS - started))s: $nodes kwok nodes Ready, API https://127.0.0.1:$CSP_API_PORT, folder $CSP_CLUSTER_DIR"
  print_usage_hint
}

cmd_down() {
  [ $# -eq 0 ] || usage
  lock_cluster
  if [ ! -e "$CSP_CLUSTER_DIR" ]; then
    say "no cluster in $CSP_CLUSTER_DIR"
    return 0
  fi
  [ -f "$(cluster_marker)" ] ||
    die "$CSP_CLUSTER_DIR was not made by hack/cluster.sh (no .csp-cluster file); not touching it"
  load_cluster_env || true
  real_node_down
  stop_components
  rm -rf "$CSP_CLUSTER_DIR"
  say "stopped; removed $CSP_CLUSTER_DIR"
}

cmd_status() {
  [ $# -eq 0 ] || usage
  if [ ! -f "$(cluster_marker)" ] || ! load_cluster_env; then
    echo "no cluster in $CSP_CLUSTER_DIR"
    return 1
  fi
  local c pid healthy=0 ready total
  echo "cluster folder: $CSP_CLUSTER_DIR"
  echo "binaries:       $CSP_BIN"
  for c in "${CSP_COMPONENTS[@]}"; do
    if pid=$(component_pid "$c"); then
      printf '  %-24s running (pid %s)\n' "$c" "$pid"
    else
      printf '  %-24s NOT RUNNING (log: %s)\n' "$c" "$CSP_CLUSTER_DIR/logs/$c.log"
      healthy=1
    fi
  done
  real_node_status
  if probe kube-apiserver "$(component_health_url kube-apiserver)"; then
    echo "apiserver:      ready at https://127.0.0.1:$CSP_API_PORT"
    total=$(kubectl_admin get nodes -l type=kwok --no-headers 2>/dev/null | wc -l)
    ready=$(kubectl_admin get nodes -l type=kwok --no-headers 2>/dev/null | awk '$2=="Ready"' | wc -l)
    echo "kwok nodes:     $ready of $total Ready"
  else
    echo "apiserver:      not ready at https://127.0.0.1:$CSP_API_PORT"
    healthy=1
  fi
  return $healthy
}

# The settings of the cluster in $CSP_CLUSTER_DIR, or die saying there is none.
require_cluster() {
  [ -f "$(cluster_marker)" ] && load_cluster_env ||
    die "no cluster in $CSP_CLUSTER_DIR (start one with: hack/cluster.sh up)"
}

cmd_env() {
  [ $# -eq 0 ] || usage
  require_cluster
  printf 'export KUBECONFIG=%q\n' "$(admin_kubeconfig)"
  printf 'export PATH=%q:"$PATH"\n' "$CSP_BIN"
}

# Known component name, or die.
check_component() {
  local c
  for c in "${CSP_COMPONENTS[@]}"; do [ "$c" = "$1" ] && return 0; done
  die "unknown component '$1' (one of: ${CSP_COMPONENTS[*]})"
}

# For fault tests: kill -9 one component of a running cluster, as a crash would, and wait until
# it is gone. Its PID file stays; `start` brings it back with the same flags.
cmd_kill() {
  [ $# -eq 1 ] || usage
  check_component "$1"
  lock_cluster
  require_cluster
  local pid deadline
  pid=$(component_pid "$1") || die "$1 is not running in $CSP_CLUSTER_DIR"
  kill -KILL "$pid"
  deadline=$((SECONDS + 10))
  while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  pid_alive "$pid" && die "$1 (pid $pid) still runs after KILL"
  say "killed $1 (pid $pid)"
}

# Starts one component of a cluster whose folder exists (after `kill`, or a crash) and waits
# until it is healthy. A component that already runs is left alone.
cmd_start() {
  [ $# -eq 1 ] || usage
  check_component "$1"
  lock_cluster
  require_cluster
  if component_pid "$1" >/dev/null; then
    say "$1 already runs"
    return 0
  fi
  start_component "$1"
  wait_component "$1"
  say "started $1 (pid $(<"$CSP_CLUSTER_DIR/pids/$1.pid"))"
}

cmd_build() {
  [ $# -eq 0 ] || usage
  build_binaries
  echo "$CSP_BIN"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
  build) cmd_build "$@" ;;
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status "$@" ;;
  env) cmd_env "$@" ;;
  kill) cmd_kill "$@" ;;
  start) cmd_start "$@" ;;
  -h | --help | help) usage ;;
  *) echo "cluster: unknown command '$cmd'" >&2; usage ;;
esac
