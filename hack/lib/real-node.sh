# shellcheck shell=bash
# The opt-in real node of hack/cluster.sh (`up --real-node`): containerd 1.6 and runc from
# Debian and a kubelet built at the pinned version (hack/build-kubelet.sh), registered as node
# csp-real-node (label type=real) beside the kwok nodes. Pods scheduled there really run, in
# images built here from Debian's busybox-static (no registry). Needs root, cgroup v1 or v2,
# and cluster-common.sh; $hack is the hack/ folder. See docs/agent.md ("A real node").
#
# Everything lives under $CSP_CLUSTER_DIR/real-node, except what kubelet and containerd put on
# the host whatever their configuration: cgroups under /kubepods, a network namespace per Pod
# under /var/run/netns, the bridge cspbr0 and /var/log/containers links. `down` deletes the
# Pods first, so that kubelet removes theirs, then the cgroups and the bridge.

REAL_NODE_NAME=csp-real-node
CSP_REAL_NODE=${CSP_REAL_NODE:-0}
CSP_KUBELET_PORT=${CSP_KUBELET_PORT:-10250}
CSP_KUBELET_HEALTHZ_PORT=${CSP_KUBELET_HEALTHZ_PORT:-10248}

real_node_dir() { echo "$CSP_CLUSTER_DIR/real-node"; }
# kubelet's --root-dir: the folder hack/agent.sh gives this node's csp-agent as --root, so the
# agent writes the seccomp profiles where kubelet reads them (<root-dir>/seccomp).
real_node_kubelet_root() { echo "$CSP_CLUSTER_DIR/agents/$REAL_NODE_NAME/root/var/lib/kubelet"; }
real_node_ctr() { ctr --address "$(real_node_dir)/containerd.sock" --namespace k8s.io "$@"; }

real_node_check() {
  [ "$(id -u)" -eq 0 ] || die "--real-node runs containerd and kubelet: run as root"
  local t
  for t in containerd ctr containerd-shim-runc-v2 runc gcc jq; do
    command -v "$t" >/dev/null || die "--real-node needs $t (hack/install-deps.sh installs it)"
  done
  [ -x /usr/lib/cni/bridge ] ||
    die "--real-node needs /usr/lib/cni/bridge (containernetworking-plugins)"
  [ -x /bin/busybox ] || die "--real-node needs /bin/busybox (busybox-static)"
}

# The pause image (sandbox) and csp.local/busybox:1 (busybox, its applets and
# tests/runtime's syscall probe as /probe), imported into containerd's k8s.io namespace.
real_node_images() {
  local d w a
  d=$(real_node_dir)
  w=$d/images
  rm -rf "$w" && mkdir -p "$w/pause/dev" "$w/busybox/bin" "$w/busybox/tmp" "$w/busybox/etc"
  gcc -static -O2 -o "$w/pause/pause" "$hack/real-node/pause.c"
  cp /bin/busybox "$w/busybox/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$w/busybox/bin/$a"; done
  gcc -static -O2 -o "$w/busybox/probe" "$hack/../tests/runtime/syscall_probe.c"
  "$hack/real-node/oci-image.sh" csp.local/pause:1 "$w/pause" "$w/pause.tar" /pause
  "$hack/real-node/oci-image.sh" csp.local/busybox:1 "$w/busybox" "$w/busybox.tar" /bin/sh
  for a in pause busybox; do
    real_node_ctr images import "$w/$a.tar" >/dev/null || die "ctr could not import $w/$a.tar"
  done
}

real_node_write_config() {
  local d root
  d=$(real_node_dir)
  root=$(real_node_kubelet_root)
  mkdir -p "$d/containerd-root" "$d/containerd-state" "$d/cni" "$d/pod-logs" "$root"
  # restrict_oom_score_adj: kubelet asks -998 for sandboxes and lowering the score needs
  # CAP_SYS_RESOURCE, which some hosts (this project's CI VM) do not give even to root.
  cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd-root"
state = "$d/containerd-state"
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "csp.local/pause:1"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$d/cni"
TOML
  cat >"$d/cni/10-csp.conflist" <<JSON
{"cniVersion": "0.4.0", "name": "csp-real-node", "plugins": [
  {"type": "bridge", "bridge": "cspbr0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.250.0/24"}]],
            "dataDir": "$d/cni-ipam"}}]}
JSON
  # failCgroupV1: false lets kubelet >= 1.35 start on a cgroup v1 host. The API server reaches
  # no kubelet here (no kubelet client certificate), so its port only serves health.
  cat >"$d/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$d/containerd.sock
address: 127.0.0.1
port: $CSP_KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $CSP_KUBELET_HEALTHZ_PORT
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
failSwapOn: false
enforceNodeAllocatable: []
evictionHard: {}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
podLogsDir: $d/pod-logs
resolvConf: ""
YAML
}

# real_node_spawn NAME BINARY ARGS...: like start_component, for binaries outside CSP_BIN.
real_node_spawn() {
  local name=$1 d
  shift
  d=$(real_node_dir)
  (
    close_inherited_fds
    exec setsid "$@" </dev/null >"$CSP_CLUSTER_DIR/logs/$name.log" 2>&1
  ) &
  echo $! >"$d/$name.pid"
}

# PID of containerd or kubelet if the one we started still runs.
real_node_pid() {
  local pidfile pid
  pidfile=$(real_node_dir)/$1.pid
  [ -f "$pidfile" ] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = "$1" ] || return 1
  echo "$pid"
}

real_node_up() {
  local d deadline kubelet_bin
  d=$(real_node_dir)
  real_node_check
  say "building kubelet for the real node (cached by version; the first build takes long)"
  kubelet_bin=$("$hack/build-kubelet.sh")/kubelet || die "building kubelet failed"
  mkdir -p "$d" "$CSP_CLUSTER_DIR/logs"
  real_node_write_config
  say "starting containerd and importing the pause and busybox images"
  real_node_spawn containerd containerd --config "$d/containerd.toml"
  deadline=$((SECONDS + CSP_START_TIMEOUT))
  until real_node_ctr version >/dev/null 2>&1; do
    real_node_pid containerd >/dev/null || { show_log_tail containerd; die "containerd exited"; }
    [ $SECONDS -lt $deadline ] || die "containerd did not answer within ${CSP_START_TIMEOUT}s"
    sleep 0.2
  done
  real_node_images
  say "starting kubelet as node $REAL_NODE_NAME"
  real_node_spawn kubelet "$kubelet_bin" --config="$d/kubelet.yaml" \
    --kubeconfig="$(admin_kubeconfig)" --root-dir="$(real_node_kubelet_root)" \
    --hostname-override="$REAL_NODE_NAME" --node-labels=type=real --v=1
  until kubectl_admin wait --for=condition=Ready "node/$REAL_NODE_NAME" --timeout=2s \
    >/dev/null 2>&1; do
    real_node_pid kubelet >/dev/null || { show_log_tail kubelet; die "kubelet exited"; }
    [ $SECONDS -lt $deadline ] ||
      { show_log_tail kubelet; die "node $REAL_NODE_NAME not Ready in time"; }
  done
}

# Stops what runs on the node and on the host for it: its Pods (deleted through the API, so
# that kubelet tears down their sandboxes, network namespaces and cgroups), kubelet, any
# container left (they outlive kubelet and containerd otherwise), containerd, then the mounts
# and the bridge left behind.
real_node_down() {
  local d pid task target
  d=$(real_node_dir)
  [ -d "$d" ] || return 0
  if real_node_pid kubelet >/dev/null; then
    kubectl_admin delete pods --all-namespaces --field-selector "spec.nodeName=$REAL_NODE_NAME" \
      --wait=true --timeout=60s >/dev/null 2>&1 || say "Pods on $REAL_NODE_NAME not gone in 60s"
  fi
  if pid=$(real_node_pid kubelet); then
    kill -TERM "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.1; done
  fi
  if real_node_pid containerd >/dev/null; then
    for task in $(real_node_ctr tasks ls -q 2>/dev/null); do
      real_node_ctr tasks kill -s KILL "$task" >/dev/null 2>&1 || true
    done
    sleep 0.5
    for task in $(real_node_ctr tasks ls -q 2>/dev/null); do
      real_node_ctr tasks delete -f "$task" >/dev/null 2>&1 || true
    done
    pid=$(real_node_pid containerd)
    kill -TERM "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.1; done
  fi
  # Mounts below the cluster folder (rootfs overlays, Pod volumes), deepest first.
  findmnt -rn -o TARGET | grep -F "$CSP_CLUSTER_DIR/" | sort -r | while read -r target; do
    umount -l "$target" 2>/dev/null || true
  done
  find /sys/fs/cgroup -depth -type d -path '*/kubepods*' -exec rmdir {} + 2>/dev/null || true
  find /var/log/containers -maxdepth 1 -lname "$d/pod-logs/*" -delete 2>/dev/null || true
  ip link del cspbr0 2>/dev/null || true
}

real_node_status() {
  local c pid
  [ -d "$(real_node_dir)" ] || return 0
  for c in containerd kubelet; do
    if pid=$(real_node_pid "$c"); then
      printf '  %-24s running (pid %s)\n' "$c (real node)" "$pid"
    else
      printf '  %-24s NOT RUNNING (log: %s)\n' "$c (real node)" "$CSP_CLUSTER_DIR/logs/$c.log"
    fi
  done
}
