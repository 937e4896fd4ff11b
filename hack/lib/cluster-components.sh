# shellcheck shell=bash
# Command lines, start-up and health checks of the control-plane processes.
# Flags follow kwokctl's components and controller-runtime's envtest; see
# docs/cluster.md for why each non-default one is there. Needs cluster-common.sh.

# Sets the array COMPONENT_ARGS to the flags of component $1 (an array keeps paths with spaces
# intact).
set_component_args() {
  local d=$CSP_CLUSTER_DIR pki=$CSP_CLUSTER_DIR/pki k
  k=$(admin_kubeconfig)
  case $1 in
    etcd)
      COMPONENT_ARGS=(--name=node0 --data-dir="$d/etcd-data"
        --listen-client-urls="http://127.0.0.1:$CSP_ETCD_PORT"
        --advertise-client-urls="http://127.0.0.1:$CSP_ETCD_PORT"
        --listen-peer-urls="http://127.0.0.1:$CSP_ETCD_PEER_PORT"
        --initial-advertise-peer-urls="http://127.0.0.1:$CSP_ETCD_PEER_PORT"
        --initial-cluster="node0=http://127.0.0.1:$CSP_ETCD_PEER_PORT"
        --auto-compaction-retention=1 --quota-backend-bytes=8589934592 --unsafe-no-fsync)
      ;;
    kube-apiserver)
      # --endpoint-reconciler-type=none: the `kubernetes` Endpoints would have to point at a
      # loopback address, which the API rejects. Default admission plugins (they include
      # ValidatingAdmissionWebhook and PodSecurity) plus NodeRestriction.
      COMPONENT_ARGS=(--etcd-servers="http://127.0.0.1:$CSP_ETCD_PORT" --etcd-prefix=/registry
        --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$CSP_API_PORT"
        --endpoint-reconciler-type=none
        --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key"
        --client-ca-file="$pki/ca.crt"
        --service-account-issuer=https://kubernetes.default.svc.cluster.local
        --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key"
        --service-cluster-ip-range=10.96.0.0/16 --authorization-mode=Node,RBAC
        --token-auth-file="$d/tokens.csv" --enable-admission-plugins=NodeRestriction
        --allow-privileged=true --v=1)
      ;;
    kube-controller-manager)
      COMPONENT_ARGS=(--kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k"
        --bind-address=127.0.0.1 --secure-port="$CSP_KCM_PORT" --leader-elect=false
        --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics
        --root-ca-file="$pki/ca.crt" --service-account-private-key-file="$pki/sa.key"
        --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" --v=1)
      append_rate_limit_args "$CSP_KCM_API_QPS" "$CSP_KCM_API_BURST"
      # A node whose Lease is older than the grace period turns NotReady and its Pods are
      # evicted: the grace period must outlast a renewal (a quarter of the Lease). Lease + 10 s
      # is the component's own default (50 s) at kwok's default Lease (40 s).
      check_node_lease_seconds
      COMPONENT_ARGS+=(--node-monitor-grace-period="$((CSP_NODE_LEASE_SECONDS + 10))s")
      ;;
    kube-scheduler)
      COMPONENT_ARGS=(--kubeconfig="$k" --authentication-kubeconfig="$k" --authorization-kubeconfig="$k"
        --bind-address=127.0.0.1 --secure-port="$CSP_SCHEDULER_PORT" --leader-elect=false
        --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics --v=1)
      append_rate_limit_args "$CSP_SCHEDULER_API_QPS" "$CSP_SCHEDULER_API_BURST"
      ;;
    kwok)
      # kwok v0.8 has no built-in stages: they come from the module (copied at build time).
      # Beside a real node (hack/cluster.sh up --real-node) kwok leaves it to its kubelet.
      local manage=--manage-all-nodes=true
      [ "${CSP_REAL_NODE:-0}" = 0 ] || manage=--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake
      check_node_lease_seconds
      COMPONENT_ARGS=(--kubeconfig="$k" --config="$CSP_BIN/kwok-stages.yaml" "$manage"
        --node-lease-duration-seconds="$CSP_NODE_LEASE_SECONDS" --cidr=10.244.0.0/16 --node-ip=10.0.0.1)
      ;;
    *) die "unknown component $1" ;;
  esac
}

check_node_lease_seconds() {
  [[ $CSP_NODE_LEASE_SECONDS =~ ^[0-9]+$ ]] && [ "$CSP_NODE_LEASE_SECONDS" -ge 10 ] && return 0
  die "CSP_NODE_LEASE_SECONDS must be a whole number of seconds, at least 10, got '$CSP_NODE_LEASE_SECONDS'"
}

# Adds --kube-api-qps/--kube-api-burst to COMPONENT_ARGS when set (empty: the component's own
# defaults, which the e2e suite runs with).
append_rate_limit_args() {
  if [ -n "$1" ]; then
    [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "a QPS must be a number, got '$1'"
    COMPONENT_ARGS+=(--kube-api-qps="$1")
  fi
  if [ -n "$2" ]; then
    [[ $2 =~ ^[0-9]+$ ]] || die "a burst must be a whole number, got '$2'"
    COMPONENT_ARGS+=(--kube-api-burst="$2")
  fi
}

# Health endpoint of a component; kwok has none (its nodes turning Ready is its check).
component_health_url() {
  case $1 in
    etcd) echo "http://127.0.0.1:$CSP_ETCD_PORT/health" ;;
    kube-apiserver) echo "https://127.0.0.1:$CSP_API_PORT/readyz" ;;
    kube-controller-manager) echo "https://127.0.0.1:$CSP_KCM_PORT/healthz" ;;
    kube-scheduler) echo "https://127.0.0.1:$CSP_SCHEDULER_PORT/healthz" ;;
  esac
}

# One health probe. The apiserver's certificate is checked against our CA; the controller
# manager and scheduler serve self-signed certificates they make at start-up.
probe() {
  case $1 in
    kube-apiserver) curl -sf -o /dev/null --max-time 5 --cacert "$CSP_CLUSTER_DIR/pki/ca.crt" "$2" ;;
    *) curl -skf -o /dev/null --max-time 5 "$2" ;;
  esac
}

# Closes every descriptor above stderr. A daemon must not keep our lock files (flock locks live
# as long as any holder of the descriptor) or a caller's pipes (ctest, $(...)) open.
close_inherited_fds() {
  local fd
  for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null || continue
    { eval "exec $fd>&-"; } 2>/dev/null || true
  done
}

# Starts one component in its own session (so a Ctrl-C or a closed terminal does not reach it),
# with its output in logs/NAME.log and its PID in pids/NAME.pid.
start_component() {
  local name=$1
  set_component_args "$name"
  mkdir -p "$CSP_CLUSTER_DIR/logs" "$CSP_CLUSTER_DIR/pids"
  # The subshell and setsid both exec in place (a background child of a shell without job
  # control is no process-group leader), so $! is the component's own PID.
  (
    close_inherited_fds
    exec setsid "$CSP_BIN/$name" "${COMPONENT_ARGS[@]}" </dev/null >"$CSP_CLUSTER_DIR/logs/$name.log" 2>&1
  ) &
  echo $! >"$CSP_CLUSTER_DIR/pids/$name.pid"
}

# Waits until the component answers its health check; fails with its log tail if it exits or
# does not get healthy in time.
wait_component() {
  local name=$1 url pid deadline
  pid=$(<"$CSP_CLUSTER_DIR/pids/$name.pid")
  url=$(component_health_url "$name")
  deadline=$((SECONDS + CSP_START_TIMEOUT))
  while :; do
    if ! pid_alive "$pid"; then
      show_log_tail "$name"
      die "$name exited during start-up (log: $CSP_CLUSTER_DIR/logs/$name.log)"
    fi
    if [ -z "$url" ]; then
      # No endpoint: alive after a moment means it parsed its flags and config.
      sleep 2
      pid_alive "$pid" && return 0
      continue
    fi
    if probe "$name" "$url"; then return 0; fi
    if [ $SECONDS -ge $deadline ]; then
      show_log_tail "$name"
      die "$name did not become healthy at $url within ${CSP_START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

# Stops one component: TERM, then KILL after CSP_STOP_GRACE seconds. Only a PID from pids/
# that still runs our binary is signalled.
stop_component() {
  local name=$1 pid deadline
  pid=$(component_pid "$name") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + CSP_STOP_GRACE))
  while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  pid_alive "$pid" || return 0
  say "$name (pid $pid) ignored TERM for ${CSP_STOP_GRACE}s; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  pid_alive "$pid" && die "$name (pid $pid) still runs after KILL"
  return 0
}

# Stops the components newest first, one at a time: the apiserver shuts down cleanly only
# while etcd still answers, and the controllers while the apiserver does.
stop_components() {
  local i
  for ((i = ${#CSP_COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${CSP_COMPONENTS[i]}"
  done
}
