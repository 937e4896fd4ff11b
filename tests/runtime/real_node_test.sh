#!/usr/bin/env bash
# Opt-in (cmake -DCSP_REAL_NODE_TEST=ON, label real-node; root): a cluster with one real node
# (hack/cluster.sh up --real-node: containerd, runc and kubelet on this machine), a real
# csp-agent for that node (hack/agent.sh) installing csp-default, and Pods that run there with
# `localhostProfile: containersecurity/csp-default.json`. The same probes run in an Unconfined
# Pod, so each EPERM is shown to be the profile's; a Pod naming a profile the node lacks is
# refused by kubelet; the example SecurityProfile static-server goes from the API to a Pod.
# Recording on the node: the agent runs with --record, a Pod running a busybox script under
# the recording profile is recorded, the recorded SecurityProfile is applied, and the same
# script passes under it while the script plus mkdir gets EPERM (and passes Unconfined).
# The first run builds kubelet (15-30 min on 2 cores), later runs take ~35 s.
#
#   tests/runtime/real_node_test.sh    with CSP_BUILD_DIR and the CSP_*_PORT settings in the
#                                      environment (ctest sets them)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
export CSP_BUILD_DIR=${CSP_BUILD_DIR:-build}
work=$(mktemp -d)
export CSP_CLUSTER_DIR=$work/cluster
fail() { echo "real_node_test: FAIL: $*" >&2; exit 1; }
cleanup() {
  hack/agent.sh stop >/dev/null 2>&1 || true
  hack/cluster.sh down >&2 || true
  rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { echo "real_node_test: SKIP: needs root"; exit 0; }

hack/cluster.sh up --nodes 1 --real-node >&2
eval "$(hack/cluster.sh env)"
kubectl apply -f crds/ >/dev/null
hack/agent.sh start --record busybox-script >&2

node=csp-real-node
profile=$(hack/agent.sh root "$node")/var/lib/kubelet/seccomp/containersecurity/csp-default.json
cmp -s "$profile" <("$CSP_BUILD_DIR/operator/cmd/agent/csp-agent" render csp-default-seccomp) ||
  fail "the agent's $profile differs from csp-agent render"

probes="fork tcp_loopback socket_unix unshare_user mount keyctl bpf personality_no_aslr clone3"
# pod NAME SECCOMP_PROFILE_YAML [SCRIPT]: a Pod on the real node running the shell script
# SCRIPT, by default one writing the probes' answers to its termination message (the API server
# reaches no kubelet here, so `kubectl logs` cannot).
pod() {
  kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1, namespace: default}
spec:
  nodeName: $node
  restartPolicy: Never
  containers:
    - name: main
      image: csp.local/busybox:1
      imagePullPolicy: Never
      command: [sh, -c, "${3:-/probe $probes > /dev/termination-log}"]
      securityContext:
        seccompProfile: $2
YAML
}
# finished NAME [PHASE]: waits until the Pod ends in PHASE (default Succeeded; the other end
# fails the test) and prints its termination message.
finished() {
  local phase want=${2:-Succeeded}
  for _ in $(seq 1 120); do
    phase=$(kubectl get pod "$1" -o jsonpath='{.status.phase}')
    case $phase in
      "$want")
        kubectl get pod "$1" -o jsonpath='{.status.containerStatuses[0].state.terminated.message}'
        return
        ;;
      Succeeded | Failed) kubectl describe pod "$1" >&2; fail "Pod $1 ended $phase, not $want" ;;
    esac
    sleep 1
  done
  kubectl describe pod "$1" >&2
  fail "Pod $1 did not finish in 120 s"
}

pod confined '{type: Localhost, localhostProfile: containersecurity/csp-default.json}'
pod unconfined '{type: Unconfined}'
pod missing '{type: Localhost, localhostProfile: containersecurity/no-such-profile.json}'
confined=$(finished confined)
unconfined=$(finished unconfined)
echo "confined:   ${confined//$'\n'/, }" >&2
echo "unconfined: ${unconfined//$'\n'/, }" >&2

want="fork 0
tcp_loopback 0
socket_unix 0
unshare_user 1
mount 1
keyctl 1
bpf 1
personality_no_aslr 1
clone3 38"
[ "$confined" = "$want" ] || fail "under csp-default the probes answered
$confined
want
$want"
# Each call the profile stops answers otherwise without it.
for p in unshare_user mount keyctl bpf personality_no_aslr clone3; do
  [ "$(grep "^$p " <<<"$confined")" != "$(grep "^$p " <<<"$unconfined")" ] ||
    fail "$p answers the same unconfined: the probe cannot tell the profile's answer"
done

# kubelet refuses a Localhost profile that is not on the node: the path is really read.
# refused NAME: the Pod's container is refused for its profile (within 60 s); prints the reason.
refused() {
  local reason=""
  for _ in $(seq 1 60); do
    reason=$(kubectl get pod "$1" -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')
    [ -n "$reason" ] && [ "$reason" != ContainerCreating ] && break
    sleep 1
  done
  case $reason in
    CreateContainerConfigError | CreateContainerError) echo "$reason" ;;
    *) kubectl describe pod "$1" >&2; fail "Pod $1 with a missing profile: reason '$reason'" ;;
  esac
}
reason=$(refused missing)

# A custom SecurityProfile end to end: the API object, the agent's file, kubelet, containerd,
# runc. The example needs allowPrivilegeEscalation: false; the probe plays the static server
# and writes its answers itself (the profile allows no shell).
kubectl apply -f examples/profiles/seccomp-static-server.yaml >/dev/null
custom=$(dirname "$profile")/static-server.json
for _ in $(seq 1 100); do [ -s "$custom" ] && break; sleep 0.1; done
[ -s "$custom" ] || fail "the agent did not install $custom"
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: static-server, namespace: default}
spec:
  nodeName: $node
  restartPolicy: Never
  containers:
    - name: server
      image: csp.local/busybox:1
      imagePullPolicy: Never
      command: [/probe, -o, /dev/termination-log, tcp_loopback, socket_inet, socket_unix, mount]
      securityContext:
        allowPrivilegeEscalation: false
        seccompProfile: {type: Localhost, localhostProfile: containersecurity/static-server.json}
YAML
server=$(finished static-server)
[ "$server" = "$(printf 'tcp_loopback 0\nsocket_inet 0\nsocket_unix 1\nmount 1')" ] ||
  fail "under static-server the probes answered: $server"

# Recording on the node: the agent (--record busybox-script) wrote the recording profile, whose
# listenerPath is its socket; containerd passes it to runc, runc hands the agent the notify fd.
script='echo hello > /tmp/f && cat /tmp/f /proc/self/status > /tmp/g && ls / | sort > /dev/null &&
  cat /tmp/f > /dev/termination-log'
more="$script && mkdir /tmp/d 2>> /dev/termination-log"
recorded=$(hack/agent.sh root "$node")/var/lib/containersecurity/recordings/busybox-script.yaml
recording='{type: Localhost, localhostProfile: containersecurity-recording/busybox-script.json}'
pod record "$recording" "$script"
[ "$(finished record)" = hello ] || fail "the recorded Pod did not run its script"
for _ in $(seq 1 100); do [ -s "$recorded" ] && break; sleep 0.1; done
[ -s "$recorded" ] || fail "the agent wrote no $recorded"
grep -q '^#   default/record/main$' "$recorded" || fail "$recorded does not name the container"
kubectl apply -f "$recorded" >/dev/null
installed=$(dirname "$profile")/busybox-script.json
for _ in $(seq 1 100); do [ -s "$installed" ] && break; sleep 0.1; done
recorded_profile='{type: Localhost, localhostProfile: containersecurity/busybox-script.json}'
pod replay "$recorded_profile" "$script"
pod more "$recorded_profile" "$more"
pod more-unconfined '{type: Unconfined}' "$more"
[ "$(finished replay)" = hello ] || fail "the script failed under its recorded profile"
[ "$(finished more-unconfined)" = hello ] || fail "the longer script failed Unconfined"
denied=$(finished more Failed)
[ "$denied" = "hello
mkdir: can't create directory '/tmp/d': Operation not permitted" ] ||
  fail "mkdir under the recorded profile: '$denied', not EPERM"
# A stopped agent takes its recording profile away: runc 1.1.5 would hang on it without a
# listener (docs/agent.md), kubelet refuses the Pod instead.
hack/agent.sh stop
pod after-agent "$recording" "$script"
refused after-agent >/dev/null
echo "real_node_test: PASS (missing profile: $reason)"
