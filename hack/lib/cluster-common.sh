# shellcheck shell=bash
# Settings, messages and process helpers shared by hack/cluster.sh and its helpers.
# Every setting is an environment variable so that two clusters can run side by side:
#   CSP_CLUSTER_DIR      folder of one cluster (PKI, etcd data, logs, PIDs, kubeconfigs)
#   CSP_API_PORT         kube-apiserver (TLS)              default 16443 (not 6443)
#   CSP_ETCD_PORT        etcd clients                      default 23790 (not 2379)
#   CSP_ETCD_PEER_PORT   etcd peers                        default 23800 (not 2380)
#   CSP_KCM_PORT         kube-controller-manager (TLS)     default 20257 (not 10257)
#   CSP_SCHEDULER_PORT   kube-scheduler (TLS)              default 20259 (not 10259)
#   CSP_NODES            kwok nodes created by `up`        default 3 (`--nodes N` wins)
#   CSP_START_TIMEOUT    seconds to wait for each component default 120
#   CSP_STOP_GRACE       seconds between TERM and KILL      default 10
#   CSP_KCM_API_QPS, CSP_KCM_API_BURST, CSP_SCHEDULER_API_QPS, CSP_SCHEDULER_API_BURST
#                        client-side rate limits of kube-controller-manager and kube-scheduler
#                        toward kube-apiserver; empty (default) keeps the components' own
#                        (20/30 and 50/100): the benchmarks raise them to start 10,000s of Pods
#   CSP_NODE_LEASE_SECONDS  kwok's node Lease duration (renewed every quarter of it) default 40;
#                        longer lightens kube-apiserver at 1,000 nodes (100 Lease writes a
#                        second at 40 s), and kube-controller-manager's node grace period
#                        follows it (docs/cluster.md)

# Remembered so that hints can name a non-default folder.
CSP_CLUSTER_DIR_FROM_ENV=${CSP_CLUSTER_DIR:+1}
CSP_CACHE_ROOT=${CSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/csp-operator}
CSP_CLUSTER_DIR=${CSP_CLUSTER_DIR:-$CSP_CACHE_ROOT/clusters/default}
case $CSP_CLUSTER_DIR in /*) ;; *) CSP_CLUSTER_DIR=$PWD/$CSP_CLUSTER_DIR ;; esac
CSP_CLUSTER_DIR=${CSP_CLUSTER_DIR%/}
CSP_API_PORT=${CSP_API_PORT:-16443}
CSP_ETCD_PORT=${CSP_ETCD_PORT:-23790}
CSP_ETCD_PEER_PORT=${CSP_ETCD_PEER_PORT:-23800}
CSP_KCM_PORT=${CSP_KCM_PORT:-20257}
CSP_SCHEDULER_PORT=${CSP_SCHEDULER_PORT:-20259}
CSP_NODES=${CSP_NODES:-3}
CSP_START_TIMEOUT=${CSP_START_TIMEOUT:-120}
CSP_STOP_GRACE=${CSP_STOP_GRACE:-10}
CSP_KCM_API_QPS=${CSP_KCM_API_QPS:-}
CSP_KCM_API_BURST=${CSP_KCM_API_BURST:-}
CSP_SCHEDULER_API_QPS=${CSP_SCHEDULER_API_QPS:-}
CSP_SCHEDULER_API_BURST=${CSP_SCHEDULER_API_BURST:-}
CSP_NODE_LEASE_SECONDS=${CSP_NODE_LEASE_SECONDS:-40}

# Start order; `down` stops them in reverse.
CSP_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# The marker proves a folder was made by this script, so `down` never deletes anything else.
cluster_marker() { echo "$CSP_CLUSTER_DIR/.csp-cluster"; }
admin_kubeconfig() { echo "$CSP_CLUSTER_DIR/admin.kubeconfig"; }

say() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

is_port_number() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }

# Reads the settings a running cluster was started with, so that `down`, `status` and `env`
# act on that cluster whatever the current environment says.
load_cluster_env() {
  local f=$CSP_CLUSTER_DIR/cluster.env
  [ -f "$f" ] || return 1
  # shellcheck disable=SC1090
  source "$f"
}

# PID of a component if it still runs the binary we started (guards against PID reuse).
component_pid() {
  local name=$1 pidfile=$CSP_CLUSTER_DIR/pids/$1.pid pid argv0
  [ -f "$pidfile" ] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1) || return 1
  [ "$argv0" = "$CSP_BIN/$name" ] || return 1
  echo "$pid"
}

# True while the process exists and is not a zombie (a dead child not yet reaped still
# answers kill -0).
pid_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Prints what listens on a TCP port, or nothing when the port is free.
port_user() {
  local port=$1
  if command -v ss >/dev/null; then
    ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "something accepts connections on 127.0.0.1:$port"
  fi
}

# Tail of a component's log, for start-up failures.
show_log_tail() {
  local log=$CSP_CLUSTER_DIR/logs/$1.log
  [ -f "$log" ] || return 0
  echo "----- last 30 lines of $log -----" >&2
  tail -n 30 "$log" >&2
  echo "-----" >&2
}
