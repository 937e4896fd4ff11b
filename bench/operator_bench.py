#!/usr/bin/env python3
"""The measuring half of bench/operator_bench.sh (docs/benchmarks.md, "csp-operator").

Talks to kube-apiserver and etcd directly (Python standard library only: http.client, ssl,
json), so that requests go out in parallel and watch events are timestamped the moment they
arrive, without a kubectl process per request. A benchmark: it prints figures and asserts
nothing; it exits non-zero only when it cannot measure (a timeout, an API error).

  operator_bench.py create   --cluster DIR [--namespaces N --per-ns M --replicas R]
                             [--first-ns I --statefulsets S --daemonsets D --cronjobs C --nodes K]
  operator_bench.py wait-pods --cluster DIR --expect N [--timeout S]
  operator_bench.py reset    --cluster DIR
  operator_bench.py measure  --cluster DIR --operator BIN --kubeconfig FILE [--samples K]
                             [--quiet S] [--churn R] [--json OUT] [--log FILE]
                             [-- extra operator flags]

`measure` starts the operator and records: start -> /readyz, -> all reports right, -> all
labels; RSS; API requests (its /metrics); report bytes (API JSON and etcd); writes in a quiet
window (kube-apiserver's /metrics); the latency from a violating PATCH to the label and to the
report result; a burst of fixes; and a restart with everything in place. `reset` undoes what the
operator wrote, for the next run; the operator must be stopped.

The workloads: namespaces bench-000.., each with Deployments ok-00.. (compliant with every
default control) and bad-00.. (one in four, each with one violation: privileged, root, an added
capability, no seccomp profile or a docker.sock hostPath). All carry the label bench=true.
Optionally also StatefulSets (ss-ok-../ss-bad-.., 2 replicas, Parallel), DaemonSets (ds-.., each
pinned to one kwok node by its hostname, so one Pod each) and CronJobs (cj-.., suspended, no
Pods), numbered on after the Deployments so that one workload in four violates across kinds.
"""

import argparse
import base64
import calendar
import concurrent.futures
import http.client
import json
import os
import random
import signal
import ssl
import subprocess
import sys
import threading
import time

POLICY = "bench"
REPORT = "csp-" + POLICY
COMPLIANT = "containersecurity.dev/compliant"
VIOLATIONS = "containersecurity.dev/violations"
PRIVILEGED_RULE = "disallow-privileged"
NS_PREFIX = "bench-"
# The bench's workload kinds: (kind, API prefix, plural). Names differ by kind (prefixes).
KINDS = [
    ("Deployment", "/apis/apps/v1", "deployments"),
    ("StatefulSet", "/apis/apps/v1", "statefulsets"),
    ("DaemonSet", "/apis/apps/v1", "daemonsets"),
    ("CronJob", "/apis/batch/v1", "cronjobs"),
]
KIND_PREFIX = {"Deployment": "", "StatefulSet": "ss-", "DaemonSet": "ds-", "CronJob": "cj-"}
STATEFULSET_REPLICAS = 2
# How long one latency sample may take before the run gives up (under churn on a loaded
# machine, seconds are measured, not a failure).
SAMPLE_TIMEOUT = 180
VIOLATION_KINDS = ["privileged", "root", "capability", "no-seccomp", "docker-sock"]
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
WRITE_VERBS = {"POST", "PUT", "PATCH", "DELETE", "APPLY"}
# group/resource[/subresource] whose writes must stay at zero in steady state (the operator's).
STEADY_RESOURCES = [
    "wgpolicyk8s.io/policyreports",
    "apps/deployments",
    "apps/statefulsets",
    "apps/daemonsets",
    "batch/cronjobs",
    "/events",
    "events.k8s.io/events",
    "containersecurity.dev/containersecuritypolicies",
    "containersecurity.dev/containersecuritypolicies/status",
]


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


# ---- The cluster --------------------------------------------------------------------------


class Cluster:
    """Connection settings of a hack/cluster.sh folder: API port, CA, the admin token, etcd."""

    def __init__(self, folder):
        self.folder = folder
        env = {}
        with open(os.path.join(folder, "cluster.env")) as f:
            for line in f:
                if "=" in line and not line.startswith("#"):
                    key, value = line.strip().split("=", 1)
                    env[key] = value
        self.api_port = int(env["CSP_API_PORT"])
        self.etcd_port = int(env["CSP_ETCD_PORT"])
        self.token = None
        with open(os.path.join(folder, "tokens.csv")) as f:
            for line in f:
                fields = line.strip().split(",")
                if len(fields) >= 2 and fields[1] == "admin":
                    self.token = fields[0]
        if not self.token:
            raise SystemExit("no admin token in %s/tokens.csv" % folder)
        self.ssl = ssl.create_default_context(cafile=os.path.join(folder, "pki", "ca.crt"))
        self.local = threading.local()

    def connect(self, timeout=60):
        return http.client.HTTPSConnection(
            "127.0.0.1", self.api_port, context=self.ssl, timeout=timeout
        )

    def request(self, method, path, body=None, content_type="application/json", accept=None):
        """One request on this thread's keep-alive connection; returns (status, bytes)."""
        headers = {"Authorization": "Bearer " + self.token}
        if body is not None:
            headers["Content-Type"] = content_type
            if not isinstance(body, (bytes, str)):
                body = json.dumps(body)
        if accept:
            headers["Accept"] = accept
        for attempt in range(3):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = self.connect()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get_json(self, path, accept=None):
        status, data = self.request("GET", path, accept=accept)
        if status != 200:
            raise SystemExit("GET %s: HTTP %d %s" % (path, status, data[:300]))
        return json.loads(data)

    def list_all(self, path, params="", metadata_only=False):
        """Every item of a collection, in pages of 1,000; returns (items, resourceVersion)."""
        items, cont = [], ""
        accept = METADATA_ONLY if metadata_only else None
        while True:
            query = "limit=1000" + (params and "&" + params) + (cont and "&continue=" + cont)
            page = self.get_json(path + "?" + query, accept)
            items.extend(page.get("items") or [])
            cont = page["metadata"].get("continue", "")
            if not cont:
                return items, page["metadata"]["resourceVersion"]

    def etcd_range(self, prefix, keys_only=False):
        """etcd's JSON gateway: (number of keys, bytes of their values) under `prefix`."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        body = {
            "key": base64.b64encode(prefix.encode()).decode(),
            "range_end": base64.b64encode(end.encode()).decode(),
            "keys_only": keys_only,
        }
        conn = http.client.HTTPConnection("127.0.0.1", self.etcd_port, timeout=60)
        conn.request("POST", "/v3/kv/range", body=json.dumps(body),
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit("etcd range %s: HTTP %d %s" % (prefix, response.status, data[:300]))
        kvs = json.loads(data).get("kvs") or []
        return len(kvs), sum(len(base64.b64decode(kv.get("value", ""))) for kv in kvs)


def prometheus(text):
    """Prometheus text -> list of (name, {labels}, value)."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        labels = {}
        name = head
        if "{" in head:
            name, rest = head.split("{", 1)
            rest = rest.rstrip("}")
            while rest:
                key, rest = rest.split("=", 1)
                assert rest.startswith('"')
                i, out = 1, ""
                while rest[i] != '"':
                    if rest[i] == "\\":
                        i += 1
                    out += rest[i]
                    i += 1
                labels[key] = out
                rest = rest[i + 1:].lstrip(",")
        try:
            samples.append((name, labels, float(value)))
        except ValueError:
            pass
    return samples


# ---- Workloads ----------------------------------------------------------------------------


def is_violating(j, every):
    return j % every == every - 1


def workload_name(kind, j, every):
    return KIND_PREFIX[kind] + ("bad-%02d" if is_violating(j, every) else "ok-%02d") % j


def kind_of_name(name):
    return next((k for k, p in KIND_PREFIX.items() if p and name.startswith(p)), "Deployment")


def is_bad_name(name):
    return name.split("-", 1)[0] == "bad" or "-bad-" in name


def pod_spec(violation):
    pod_security = {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    container_security = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}
    spec = {
        "terminationGracePeriodSeconds": 0,
        "securityContext": pod_security,
        "containers": [
            {"name": "app", "image": "registry.k8s.io/pause:3.10",
             "securityContext": container_security}
        ],
    }
    if violation == "privileged":
        container_security["privileged"] = True
        container_security["allowPrivilegeEscalation"] = True
    elif violation == "root":
        del pod_security["runAsNonRoot"]
        pod_security["runAsUser"] = 0
    elif violation == "capability":
        container_security["capabilities"]["add"] = ["SYS_ADMIN"]
    elif violation == "no-seccomp":
        del pod_security["seccompProfile"]
    elif violation == "docker-sock":
        spec["volumes"] = [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]
        spec["containers"][0]["volumeMounts"] = [{"name": "docker", "mountPath": "/docker.sock"}]
    return spec


def workload(kind, ns_index, j, replicas, every, node=None):
    """Workload j of namespace ns_index. `replicas` for Deployments; `node` pins a DaemonSet."""
    name = workload_name(kind, j, every)
    violation = None
    if is_violating(j, every):
        violation = VIOLATION_KINDS[(ns_index + j // every) % len(VIOLATION_KINDS)]
    template = {"metadata": {"labels": {"app": name}}, "spec": pod_spec(violation)}
    spec = {"selector": {"matchLabels": {"app": name}}, "template": template}
    api = "apps/v1"
    if kind == "Deployment":
        spec["replicas"] = replicas
    elif kind == "StatefulSet":
        spec.update(replicas=STATEFULSET_REPLICAS, serviceName=name,
                    podManagementPolicy="Parallel")
    elif kind == "DaemonSet":
        template["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "kwok-node-%d" % node}
    else:  # CronJob: suspended, so it never makes a Job (the operator judges its template)
        api = "batch/v1"
        template["spec"]["restartPolicy"] = "Never"
        spec = {"schedule": "0 0 1 1 *", "suspend": True,
                "jobTemplate": {"spec": {"template": template}}}
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": name, "labels": {"app": name, "bench": "true"}},
        "spec": spec,
    }


def workload_path(kind, ns, name=None):
    _, prefix, plural = next(k for k in KINDS if k[0] == kind)
    return "%s/namespaces/%s/%s%s" % (prefix, ns, plural, "/" + name if name else "")


def parallel(fn, items, workers=8):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))


def cmd_create(cluster, args):
    started = time.monotonic()
    indices = range(args.first_ns, args.namespaces)
    namespaces = ["%s%03d" % (NS_PREFIX, i) for i in indices]

    def create_ns(ns):
        status, data = cluster.request(
            "POST", "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": ns, "labels": {"bench": "true"}}})
        if status not in (201, 409):
            raise SystemExit("creating namespace %s: HTTP %d %s" % (ns, status, data[:300]))

    parallel(create_ns, namespaces)

    # (kind, j) of one namespace: j numbers the workloads across kinds, for is_violating.
    layout, j = [], 0
    for kind, count in (("Deployment", args.per_ns), ("StatefulSet", args.statefulsets),
                        ("DaemonSet", args.daemonsets), ("CronJob", args.cronjobs)):
        layout += [(kind, j + k) for k in range(count)]
        j += count

    def create_workload(item):
        i, (kind, j) = item
        node = (i * max(1, args.daemonsets) + j) % args.nodes
        path = workload_path(kind, "%s%03d" % (NS_PREFIX, i))
        status, data = cluster.request("POST", path,
                                       workload(kind, i, j, args.replicas, args.every, node))
        if status not in (201, 409):
            raise SystemExit("creating %s: HTTP %d %s" % (path, status, data[:300]))

    parallel(create_workload, [(i, w) for i in indices for w in layout])
    log("created %d namespaces and %d workloads (%d a namespace) in %.1f s" % (
        len(indices), len(indices) * len(layout), len(layout), time.monotonic() - started))


RUNNING = "fieldSelector=status.phase%3DRunning"


def running_pod_key(meta):
    """ns/name of a bench Pod that counts as Running (not being deleted), else None."""
    if not meta["namespace"].startswith(NS_PREFIX) or "deletionTimestamp" in meta:
        return None
    return meta["namespace"] + "/" + meta["name"]


class RunningPods:
    """The bench's Running Pods, listed once (metadata only) and then kept by a watch on
    status.phase=Running: a Pod turning Running comes as ADDED, one leaving it as DELETED.
    Listing every Pod at each look cost kube-apiserver and this script more CPU than the Pods
    coming up did at 50,000 Pods (docs/benchmarks.md); a lost watch lists again."""

    def __init__(self, cluster):
        self.cluster, self.lock, self.keys, self.watch = cluster, threading.Lock(), set(), None

    def on_event(self, kind, pod, arrival):
        meta = pod["metadata"]
        key = running_pod_key(meta)
        with self.lock:
            if key is None or kind == "DELETED":
                self.keys.discard(meta["namespace"] + "/" + meta["name"])
            else:
                self.keys.add(key)

    def count(self):
        if self.watch is None or not self.watch.is_alive():
            if self.watch is not None:
                log("watch of Running Pods ended (%s); listing again" % self.watch.error)
            items, rv = self.cluster.list_all("/api/v1/pods", RUNNING, metadata_only=True)
            with self.lock:
                self.keys = {k for k in (running_pod_key(p["metadata"]) for p in items) if k}
            self.watch = Watch(self.cluster, "/api/v1/pods?" + RUNNING, rv, self.on_event)
            self.watch.start()
        with self.lock:
            return len(self.keys)

    def stop(self):
        if self.watch is not None:
            self.watch.stopped.set()


def rolling_deployments(cluster):
    """Bench Deployments whose rollout is not complete (the controller has not seen the newest
    spec, or not all replicas are updated and available)."""
    items, _ = cluster.list_all("/apis/apps/v1/deployments", "labelSelector=bench%3Dtrue")
    busy = 0
    for d in items:
        want, st = d["spec"].get("replicas", 1), d.get("status") or {}
        if (st.get("observedGeneration", 0) < d["metadata"].get("generation", 0)
                or st.get("updatedReplicas", 0) != want or st.get("replicas", 0) != want
                or st.get("availableReplicas", 0) != want):
            busy += 1
    return busy


def cmd_wait_pods(cluster, args):
    """Until `expect` Pods run and every rollout is complete (after the previous run's)."""
    started = time.monotonic()
    last = -1
    running = RunningPods(cluster)
    try:
        while True:
            n = running.count()
            if n != last:
                log("%d of %d Pods Running (%.0f s)" % (n, args.expect, time.monotonic() - started))
                last = n
            if n >= args.expect and rolling_deployments(cluster) == 0:
                print("%.0f" % (time.monotonic() - started))
                return
            if time.monotonic() - started > args.timeout:
                raise SystemExit("only %d of %d Pods Running after %d s" % (n, args.expect, args.timeout))
            time.sleep(5)
    finally:
        running.stop()


def bench_workloads(cluster):
    """Every bench workload of every kind, each with its "kind" set, and {kind: list RV}."""
    items, versions = [], {}
    for kind, prefix, plural in KINDS:
        listed, versions[kind] = cluster.list_all(prefix + "/" + plural,
                                                  "labelSelector=bench%3Dtrue")
        for item in listed:
            item["kind"] = kind
        items += listed
    return items, versions


def cmd_reset(cluster, args):
    """Back to "never seen by the operator": no reports, no label or annotation of ours.
    The operator must not be running."""
    started = time.monotonic()
    reports, _ = cluster.list_all("/apis/wgpolicyk8s.io/v1alpha2/policyreports")
    ours = [r["metadata"] for r in reports if r["metadata"]["namespace"].startswith(NS_PREFIX)]

    def delete_report(meta):
        cluster.request("DELETE", "/apis/wgpolicyk8s.io/v1alpha2/namespaces/%s/policyreports/%s"
                        % (meta["namespace"], meta["name"]))

    parallel(delete_report, ours)
    workloads, _ = bench_workloads(cluster)
    marked = [w for w in workloads
              if COMPLIANT in (w["metadata"].get("labels") or {})
              or VIOLATIONS in (w["metadata"].get("annotations") or {})]

    def strip(w):
        meta = w["metadata"]
        patch = {"metadata": {"labels": {COMPLIANT: None}, "annotations": {VIOLATIONS: None}}}
        status, data = cluster.request(
            "PATCH", workload_path(w["kind"], meta["namespace"], meta["name"]),
            patch, "application/merge-patch+json")
        if status != 200:
            raise SystemExit("un-labelling %s: HTTP %d %s" % (meta["name"], status, data[:300]))

    parallel(strip, marked)
    log("reset: deleted %d reports, un-labelled %d workloads in %.1f s" % (
        len(ours), len(marked), time.monotonic() - started))


# ---- Watches ------------------------------------------------------------------------------


class Watch(threading.Thread):
    """A watch on `path` from `rv`; calls on_event(type, object, arrival) for every event.
    Restarts from the last resourceVersion seen when the server ends the stream."""

    def __init__(self, cluster, path, rv, on_event):
        super().__init__(daemon=True)
        self.cluster, self.path, self.rv, self.on_event = cluster, path, rv, on_event
        self.stopped = threading.Event()
        self.error = None

    def run(self):
        while not self.stopped.is_set():
            conn = self.cluster.connect(timeout=None)
            sep = "&" if "?" in self.path else "?"
            conn.request("GET", "%s%swatch=true&allowWatchBookmarks=true&resourceVersion=%s"
                         % (self.path, sep, self.rv),
                         headers={"Authorization": "Bearer " + self.cluster.token})
            response = conn.getresponse()
            if response.status != 200:
                self.error = "watch %s: HTTP %d" % (self.path, response.status)
                return
            while not self.stopped.is_set():
                line = response.readline()
                if not line:
                    break
                arrival = time.monotonic()
                event = json.loads(line)
                if event["type"] == "ERROR":
                    self.error = "watch %s: %s" % (self.path, event["object"])
                    return
                self.rv = event["object"]["metadata"]["resourceVersion"]
                if event["type"] != "BOOKMARK":
                    self.on_event(event["type"], event["object"], arrival)
            conn.close()


def is_our_report(name):
    """csp-bench, or csp-bench-<k>: a namespace's report in parts of at most 500 KiB."""
    return name == REPORT or (name.startswith(REPORT + "-") and name[len(REPORT) + 1:].isdigit())


def report_state(report):
    """({workload name: number of results}, names of workloads with a fail,
    {(name, rule): result})."""
    failing, results, counts = set(), {}, {}
    for r in report.get("results") or []:
        for res in r.get("resources") or []:
            name = res.get("name")
            counts[name] = counts.get(name, 0) + 1
            results[(name, r.get("rule"))] = r.get("result")
            if r.get("result") == "fail":
                failing.add(name)
    return counts, failing, results


class Observer:
    """What the watches saw: when each namespace's report became complete and right, when
    each Deployment carried the expected label, and the first arrival of what each latency
    sample waits for."""

    def __init__(self, expected):
        self.expected = expected  # ns -> {name: violating}
        self.lock = threading.Condition()
        self.report_done = {}  # ns -> arrival
        self.report_parts = {}  # ns -> {report name: report_state}
        self.first_report = None
        self.label_done = {}  # (ns, name) -> arrival
        self.want = {}  # (ns, name) -> expected violating, for label_done
        for ns, names in expected.items():
            for name, bad in names.items():
                self.want[(ns, name)] = bad
        self.waiting_label = {}  # (ns, name) -> "false"/"true" wanted
        self.waiting_report = {}  # (ns, name) -> "fail"/"pass" wanted for disallow-privileged
        self.seen_label = {}  # (ns, name) -> arrival
        self.seen_report = {}
        self.report_writes = 0
        self.workload_events = 0
        self.rules_per_workload = 0

    def on_report(self, kind, report, arrival):
        meta = report["metadata"]
        ns = meta["namespace"]
        if ns not in self.expected or not is_our_report(meta["name"]):
            return
        with self.lock:
            self.report_writes += 1
            if self.first_report is None:
                self.first_report = arrival
            parts = self.report_parts.setdefault(ns, {})
            if kind == "DELETED":
                parts.pop(meta["name"], None)
                self.report_done.pop(ns, None)
                return
            parts[meta["name"]] = report_state(report)
            counts, failing, results = {}, set(), {}
            for part_counts, part_failing, part_results in parts.values():
                for name, n in part_counts.items():
                    counts[name] = counts.get(name, 0) + n
                failing |= part_failing
                results.update(part_results)
            names = self.expected[ns]
            # Every workload with the same number of results (one per enabled control), none
            # else, and exactly the violating ones failing.
            right = (set(counts) == set(names) and len(set(counts.values())) == 1
                     and failing == {n for n, bad in names.items() if bad})
            if right:
                self.rules_per_workload = next(iter(counts.values()))
            if right and ns not in self.report_done:
                self.report_done[ns] = arrival
            for key, wanted in list(self.waiting_report.items()):
                if key[0] == ns and results.get((key[1], PRIVILEGED_RULE)) == wanted:
                    self.seen_report[key] = arrival
                    del self.waiting_report[key]
            self.lock.notify_all()

    def on_workload(self, kind, workload, arrival):
        meta = workload["metadata"]
        key = (meta["namespace"], meta["name"])
        label = (meta.get("labels") or {}).get(COMPLIANT)
        with self.lock:
            self.workload_events += 1
            if key in self.want and key not in self.label_done:
                if label == ("false" if self.want[key] else "true"):
                    self.label_done[key] = arrival
            wanted = self.waiting_label.get(key)
            if wanted is not None and label == wanted:
                self.seen_label[key] = arrival
                del self.waiting_label[key]
            self.lock.notify_all()

    def wait(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(min(left, 1.0))
            return True


# ---- The operator -------------------------------------------------------------------------


class Operator:
    def __init__(self, binary, kubeconfig, log_path, extra):
        self.binary, self.kubeconfig, self.log_path, self.extra = binary, kubeconfig, log_path, extra
        self.proc = None
        self.port = None

    def start(self):
        self.log = open(self.log_path, "w")
        # No admission webhook: this benchmark measures reports and remediation.
        argv = [self.binary, "--kubeconfig", self.kubeconfig, "--listen-address", "127.0.0.1:0",
                "--webhook-listen-address=",
                # debug: each namespace pass's queue wait and duration (trace_samples)
                "--log-format", "json", "--log-level", "debug"] + self.extra
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        return self.started

    def sample_rss(self, every=0.05):
        """VmRSS every `every` s while the process runs: [(seconds since start, KB)]."""
        self.rss = []

        def run():
            while self.proc.poll() is None:
                try:
                    self.rss.append((time.monotonic() - self.started, self.proc_status()["VmRSS"]))
                except (OSError, KeyError):
                    return
                time.sleep(every)

        threading.Thread(target=run, daemon=True).start()

    def rss_at(self, seconds):
        """The last VmRSS sample taken at or before `seconds` after start, in KB."""
        before = [kb for t, kb in self.rss if t <= seconds]
        return before[-1] if before else 0

    def find_port(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("csp-operator exited with %d; log %s" % (self.proc.returncode,
                                                                          self.log_path))
            with open(self.log_path) as f:
                for line in f:
                    if "listening on" in line:
                        try:
                            self.port = int(json.loads(line)["port"])
                        except (ValueError, KeyError):
                            self.port = int(line.rsplit(":", 1)[1].strip(' "}\n'))
                        return self.port
            time.sleep(0.01)
        raise SystemExit("no 'listening on' in %s within %d s" % (self.log_path, timeout))

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def metrics(self):
        status, text = self.get("/metrics")
        if status != 200:
            raise SystemExit("GET /metrics: HTTP %d" % status)
        return prometheus(text)

    def proc_status(self):
        out = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "Threads"):
                    out[key] = int(value.split()[0])
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime + stime (fields 14 and 15 of proc(5); 12 and 13 after the command name).
        out["cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out

    def stop(self, grace=30):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            self.log.close()


def metric_sum(samples, name, **labels):
    return sum(v for n, l, v in samples
               if n == name and all(l.get(k) == want for k, want in labels.items()))


def requests_by_verb(samples):
    out = {}
    for name, labels, value in samples:
        if name == "csp_api_requests_total":
            key = labels.get("verb", "?") + (" " + labels["code"] if labels.get("code") else "")
            out[key] = out.get(key, 0) + value
    return out


def diff(after, before):
    keys = set(after) | set(before)
    return {k: after.get(k, 0) - before.get(k, 0) for k in sorted(keys)
            if after.get(k, 0) - before.get(k, 0)}


def apiserver_metrics(cluster):
    status, data = cluster.request("GET", "/metrics")
    if status != 200:
        raise SystemExit("kube-apiserver /metrics: HTTP %d" % status)
    return prometheus(data.decode())


def apiserver_rejections(cluster):
    """What kube-apiserver refused for load: its 429s, and API Priority and Fairness'
    rejections by priority level and reason."""
    out = {}
    for name, labels, value in apiserver_metrics(cluster):
        if name == "apiserver_request_total" and labels.get("code") == "429":
            out["429"] = out.get("429", 0) + value
        elif name == "apiserver_flowcontrol_rejected_requests_total":
            key = "apf %s %s" % (labels.get("priority_level"), labels.get("reason"))
            out[key] = out.get(key, 0) + value
    return out


def apiserver_writes(cluster):
    """apiserver_request_total of write verbs, by "VERB group/resource[/sub]"."""
    out = {}
    for name, labels, value in apiserver_metrics(cluster):
        if name != "apiserver_request_total" or labels.get("verb") not in WRITE_VERBS:
            continue
        resource = labels.get("group", "") + "/" + labels.get("resource", "")
        if labels.get("subresource"):
            resource += "/" + labels["subresource"]
        key = labels["verb"] + " " + resource
        out[key] = out.get(key, 0) + value
    return out


def bytes_by_field(reports):
    """Bytes of compact JSON that each field of the results takes, summed over `reports`
    ("key":value plus its comma), and the rest of the reports (metadata, summary, ...)."""
    out = {"(rest of the report)": 0}
    for report in reports:
        results = report.get("results") or []
        out["(rest of the report)"] += len(json.dumps(report, separators=(",", ":"))) - len(
            json.dumps(results, separators=(",", ":")))
        for r in results:
            for key, value in r.items():
                size = len(json.dumps({key: value}, separators=(",", ":"))) - 2 + 1
                out["results." + key] = out.get("results." + key, 0) + size
            out["results.{}"] = out.get("results.{}", 0) + 2
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def log_time(ts):
    """The operator's JSON log timestamp (UTC, milliseconds) as seconds since the epoch."""
    return calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")) + int(ts[20:23]) / 1e3


def trace_samples(log_path, samples):
    """Where each latency sample's time went, from the operator's debug lines (--log-level
    debug): the first namespace pass of the sample's namespace that wrote a report and ended
    after the PATCH. `to_start`: PATCH -> that pass began (watch delivery and the queue);
    `queued`: its key's wait in the queue; `pass`: the pass, its writes included; `writes`: the
    pass's report writes alone (requests and responses). Empty without debug lines."""
    passes = {}
    try:
        with open(log_path) as f:
            for line in f:
                if '"namespace pass"' not in line:
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if int(entry.get("report_writes", "0")) == 0:
                    continue
                end = log_time(entry["ts"])
                passes.setdefault(entry["namespace"], []).append(
                    (end, int(entry["took_ms"]) / 1e3, int(entry["queued_ms"]) / 1e3,
                     int(entry.get("writes_ms", "-1")) / 1e3))
    except OSError:
        return {}
    parts = {"to_start": [], "queued": [], "pass": [], "writes": []}
    for s in samples:
        # A pass that began before the PATCH can still have read the change (the log's
        # milliseconds and the two clocks): take the first one that ended after it.
        after = [p for p in passes.get(s["ns"], []) if p[0] >= s["sent_wall"]]
        if not after:
            continue
        end, took, queued, writes = min(after)
        parts["to_start"].append(end - took - s["sent_wall"])
        parts["queued"].append(queued)
        parts["pass"].append(took)
        if writes >= 0:  # an operator from before writes_ms
            parts["writes"].append(writes)
    out = {"samples_traced": len(parts["pass"])}
    for what, values in parts.items():
        if values:
            out[what + "_p50"] = percentile(values, 50)
            out[what + "_p99"] = percentile(values, 99)
    return out


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def wait_operator_idle(op, timeout=120):
    """Until nothing is ready in the work queue and no reconcile ran, on three looks in a row
    0.5 s apart. (Keys delayed for later, such as the periodic re-verification of image
    signatures, stay in the queue for minutes: they do not count.)"""
    deadline = time.monotonic() + timeout
    quiet, last = 0, None
    while time.monotonic() < deadline:
        m = op.metrics()
        reconciles = metric_sum(m, "csp_reconcile_total")
        if metric_sum(m, "csp_workqueue_depth") == 0 and reconciles == last:
            quiet += 1
            if quiet >= 3:
                return True
        else:
            quiet = 0
        last = reconciles
        time.sleep(0.5)
    return False


def cmd_measure(cluster, args):
    result = {"operator_flags": args.extra, "churn_rate_wanted": args.churn}
    items, versions = bench_workloads(cluster)
    expected, by_kind = {}, {}
    for w in items:
        meta = w["metadata"]
        expected.setdefault(meta["namespace"], {})[meta["name"]] = is_bad_name(meta["name"])
        by_kind[w["kind"]] = by_kind.get(w["kind"], 0) + 1
    workloads = sum(len(v) for v in expected.values())
    result["namespaces"], result["workloads"] = len(expected), workloads
    result["workloads_by_kind"] = by_kind
    reports, report_rv = cluster.list_all("/apis/wgpolicyk8s.io/v1alpha2/policyreports")
    stale = [r for r in reports if r["metadata"]["namespace"] in expected]
    if stale:
        raise SystemExit("%d reports exist before the start; run `reset` first" % len(stale))
    items, _ = cluster.list_all("/api/v1/pods", RUNNING, metadata_only=True)
    pods_running = sum(1 for p in items if running_pod_key(p["metadata"]))
    result["pods_running"] = pods_running
    result["load_average_before"] = os.getloadavg()
    log("measuring: %d namespaces, %d workloads %s, %d Pods Running" % (
        len(expected), workloads, json.dumps(by_kind), pods_running))

    observer = Observer(expected)
    watches = [
        Watch(cluster, "/apis/wgpolicyk8s.io/v1alpha2/policyreports", report_rv, observer.on_report)
    ] + [Watch(cluster, "%s/%s?labelSelector=bench%%3Dtrue" % (prefix, plural), versions[kind],
               observer.on_workload)
         for kind, prefix, plural in KINDS if kind in by_kind]
    rejected_before = apiserver_rejections(cluster)
    for w in watches:
        w.start()
    time.sleep(1)  # the watches are open before the operator starts
    for w in watches:
        if w.error:
            raise SystemExit(w.error)

    op = Operator(args.operator, args.kubeconfig, args.log, args.extra)
    try:
        measure_with_operator(cluster, args, op, observer, expected, workloads, result)
    finally:
        result["exit_code_on_sigterm"] = op.stop()
        for w in watches:
            w.stopped.set()
    result["apiserver_rejections"] = diff(apiserver_rejections(cluster), rejected_before)
    result["load_average_after"] = os.getloadavg()
    # A restart with everything already in place: how long until it is done, and what it writes.
    op = Operator(args.operator, args.kubeconfig, args.log + ".restart", args.extra)
    try:
        measure_restart(op, args, result)
    finally:
        op.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)
    print_figures(result)


def checkpoint(args, result):
    """The figures so far to --json (overwritten at the end): a run cut short keeps them."""
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)


def wait_ready(op, args, t0):
    while True:
        try:
            status, _ = op.get("/readyz")
        except OSError:
            status = 0
        if status == 200:
            return time.monotonic() - t0
        if op.proc.poll() is not None:
            raise SystemExit("csp-operator exited with %d; log %s" % (op.proc.returncode, op.log_path))
        if time.monotonic() - t0 > args.timeout:
            raise SystemExit("/readyz not 200 within %d s" % args.timeout)
        time.sleep(0.02)


def measure_restart(op, args, result):
    t0 = op.start()
    op.sample_rss()
    op.find_port()
    result["restart_ready_s"] = wait_ready(op, args, t0)
    # Done: every namespace reconciled once, and the queue empty.
    while True:
        m = op.metrics()
        if metric_sum(m, "csp_reconcile_total", result="success") >= metric_sum(
                m, "csp_cache_objects", resource="namespaces") > 0 and wait_operator_idle(op):
            break
        if time.monotonic() - t0 > args.timeout:
            raise SystemExit("the restarted operator did not finish within %d s" % args.timeout)
        time.sleep(0.1)
    result["restart_idle_s"] = time.monotonic() - t0
    m = op.metrics()
    result["restart_requests"] = requests_by_verb(m)
    result["restart_report_writes"] = metric_sum(m, "csp_report_writes_total")
    result["restart_workload_patches"] = metric_sum(m, "csp_workload_patches_total")
    result["restart_status"] = op.proc_status()
    log("restart: ready %.2f s, done %.2f s, %d report writes, %d patches" % (
        result["restart_ready_s"], result["restart_idle_s"], result["restart_report_writes"],
        result["restart_workload_patches"]))


def measure_with_operator(cluster, args, op, observer, expected, workloads, result):
    t0 = op.start()
    op.sample_rss()
    op.find_port()
    result["listening_s"] = time.monotonic() - t0
    result["ready_s"] = wait_ready(op, args, t0)
    log("ready (caches synced) after %.2f s" % result["ready_s"])

    namespaces = len(expected)
    if not observer.wait(lambda: len(observer.report_done) == namespaces, args.timeout):
        raise SystemExit("only %d of %d reports complete within %d s" % (
            len(observer.report_done), namespaces, args.timeout))
    result["first_report_s"] = observer.first_report - t0
    result["all_reports_s"] = max(observer.report_done.values()) - t0
    log("all %d reports right after %.2f s" % (namespaces, result["all_reports_s"]))
    if not observer.wait(lambda: len(observer.label_done) == workloads, args.timeout):
        raise SystemExit("only %d of %d workloads labelled within %d s" % (
            len(observer.label_done), workloads, args.timeout))
    result["all_labels_s"] = max(observer.label_done.values()) - t0
    log("all %d workloads labelled after %.2f s" % (workloads, result["all_labels_s"]))
    wait_operator_idle(op)
    result["idle_s"] = time.monotonic() - t0
    startup_metrics = op.metrics()
    result["startup_requests"] = requests_by_verb(startup_metrics)
    result["startup_report_writes"] = metric_sum(startup_metrics, "csp_report_writes_total")
    result["startup_workload_patches"] = metric_sum(startup_metrics, "csp_workload_patches_total")
    result["startup_reconciles"] = metric_sum(startup_metrics, "csp_reconcile_total")
    result["cache_objects"] = {l["resource"]: v for n, l, v in startup_metrics
                               if n == "csp_cache_objects"}
    result["after_startup"] = op.proc_status()
    peak_t, peak_kb = max(op.rss, key=lambda x: x[1])
    result["rss_peak_sample"] = {"s": peak_t, "kb": peak_kb}
    result["rss_at_ready_kb"] = op.rss_at(result["ready_s"])
    result["rss_at_all_reports_kb"] = op.rss_at(result["all_reports_s"])

    # Report sizes: the API's JSON (managedFields included, as stored), then etcd's own values.
    reports, _ = cluster.list_all("/apis/wgpolicyk8s.io/v1alpha2/policyreports")
    ours = [r for r in reports if r["metadata"]["namespace"] in expected
            and is_our_report(r["metadata"]["name"])]
    compact = [len(json.dumps(r, separators=(",", ":"))) for r in ours]
    result["report_largest_bytes"] = max(compact) if compact else 0
    result["rules_per_workload"] = observer.rules_per_workload
    without_mf = []
    for r in ours:
        r["metadata"].pop("managedFields", None)
        without_mf.append(len(json.dumps(r, separators=(",", ":"))))
    results_count = sum(len(r.get("results") or []) for r in ours)
    result["report_bytes_by_field"] = bytes_by_field(ours)
    result["reports"] = len(ours)
    result["report_results"] = results_count
    result["report_json_bytes"] = sum(compact)
    result["report_json_bytes_without_managed_fields"] = sum(without_mf)
    keys, size = cluster.etcd_range("/registry/wgpolicyk8s.io/policyreports/%s" % NS_PREFIX)
    result["etcd_report_keys"], result["etcd_report_bytes"] = keys, size
    keys, size = cluster.etcd_range("/registry/deployments/%s" % NS_PREFIX)
    result["etcd_deployment_keys"], result["etcd_deployment_bytes"] = keys, size
    checkpoint(args, result)
    log("reports: %d, %d bytes of JSON, %d bytes in etcd" % (
        len(ours), sum(compact), result["etcd_report_bytes"]))

    # Steady state: nothing changes for args.quiet seconds; nothing may be written.
    before_api = apiserver_writes(cluster)
    before_op = op.metrics()
    time.sleep(args.quiet)
    after_api = apiserver_writes(cluster)
    after_op = op.metrics()
    api_diff = diff(after_api, before_api)
    result["steady_seconds"] = args.quiet
    result["steady_apiserver_writes_all"] = api_diff
    result["steady_apiserver_writes_operator_resources"] = {
        k: v for k, v in api_diff.items() if k.split(" ", 1)[1] in STEADY_RESOURCES}
    result["steady_operator_requests"] = diff(requests_by_verb(after_op), requests_by_verb(before_op))
    result["steady_operator_report_writes"] = (metric_sum(after_op, "csp_report_writes_total")
                                               - metric_sum(before_op, "csp_report_writes_total"))
    result["steady_operator_workload_patches"] = (
        metric_sum(after_op, "csp_workload_patches_total")
        - metric_sum(before_op, "csp_workload_patches_total"))
    result["settled"] = op.proc_status()
    checkpoint(args, result)
    log("steady state: writes on the operator's resources %s; RSS %d KB" % (
        result["steady_apiserver_writes_operator_resources"] or "none",
        result["settled"]["VmRSS"]))

    # Latency: one compliant Deployment at a time turns privileged; time to its label and to its
    # result in the report, from the moment the PATCH is sent; meanwhile, with --churn, other
    # compliant workloads change.
    samples = []
    names = sorted(expected)
    sampled = set()
    for i in range(args.samples):
        ns = names[(i * max(1, len(names) // args.samples)) % len(names)]
        ok = sorted(n for n, bad in expected[ns].items() if n.startswith("ok-"))
        sampled.add((ns, ok[(i // len(names)) % len(ok)]))
    # Spread over every namespace in a fixed random order (changes to one namespace queue
    # behind each other: it is one work queue key).
    churn_keys = sorted((ns, n) for ns, ws in expected.items() for n, bad in ws.items()
                        if not bad and (ns, n) not in sampled)
    random.Random(17).shuffle(churn_keys)
    churn = Churn(cluster, args.churn, churn_keys)
    before_latency, cpu_before = op.metrics(), op.proc_status()["cpu_s"]
    churn.start()
    for i in range(args.samples):
        ns = names[(i * max(1, len(names) // args.samples)) % len(names)]
        ok = sorted(n for n, bad in expected[ns].items() if n.startswith("ok-"))
        name = ok[(i // len(names)) % len(ok)]
        key = (ns, name)
        with observer.lock:
            observer.waiting_label[key] = "false"
            observer.waiting_report[key] = "fail"
        t_sent, wall_sent = time.monotonic(), time.time()
        status, data = cluster.request(
            "PATCH", "/apis/apps/v1/namespaces/%s/deployments/%s" % key,
            {"spec": {"template": {"spec": {"containers": [
                {"name": "app", "securityContext": {"privileged": True,
                                                    "allowPrivilegeEscalation": True}}]}}}},
            "application/strategic-merge-patch+json")
        t_ack = time.monotonic()
        if status != 200:
            raise SystemExit("patching %s/%s: HTTP %d %s" % (ns, name, status, data[:300]))
        if not observer.wait(lambda: key in observer.seen_label and key in observer.seen_report,
                             SAMPLE_TIMEOUT):
            raise SystemExit("%s/%s: no label/report within %d s" % (key + (SAMPLE_TIMEOUT,)))
        samples.append({"ns": ns, "name": name, "ack": t_ack - t_sent, "sent_wall": wall_sent,
                        "label": observer.seen_label[key] - t_sent,
                        "report": observer.seen_report[key] - t_sent})
        time.sleep(args.gap)
    churn.stop()
    result["churn"] = churn.figures()
    # What the operator did meanwhile: reconciles, the time they took, its CPU.
    after_latency = op.metrics()
    result["latency_phase"] = {
        "reconciles": (metric_sum(after_latency, "csp_reconcile_total")
                       - metric_sum(before_latency, "csp_reconcile_total")),
        "reconcile_seconds": (metric_sum(after_latency, "csp_reconcile_duration_seconds_sum")
                              - metric_sum(before_latency, "csp_reconcile_duration_seconds_sum")),
        "operator_cpu_s": op.proc_status()["cpu_s"] - cpu_before,
    }
    result["latency_samples"] = samples
    result["latency_trace"] = trace_samples(args.log, samples)
    checkpoint(args, result)
    for what in ("label", "report", "ack"):
        values = [s[what] for s in samples]
        result["latency_%s_p50" % what] = percentile(values, 50)
        result["latency_%s_p99" % what] = percentile(values, 99)
        result["latency_%s_max" % what] = max(values)
    log("latency: label p50 %.3f s p99 %.3f s, report p50 %.3f s p99 %.3f s" % (
        result["latency_label_p50"], result["latency_label_p99"],
        result["latency_report_p50"], result["latency_report_p99"]))

    # Put them back, all at once: a burst of fixes; time until every one is labelled true again.
    burst_keys = [(s["ns"], s["name"]) for s in samples]
    with observer.lock:
        for key in burst_keys:
            observer.waiting_label[key] = "true"
            observer.waiting_report[key] = "pass"
            observer.seen_label.pop(key, None)
            observer.seen_report.pop(key, None)

    def fix(key):
        status, data = cluster.request(
            "PATCH", "/apis/apps/v1/namespaces/%s/deployments/%s" % key,
            {"spec": {"template": {"spec": {"containers": [
                {"name": "app", "securityContext": {"privileged": None,
                                                    "allowPrivilegeEscalation": False}}]}}}},
            "application/strategic-merge-patch+json")
        if status != 200:
            raise SystemExit("fixing %s/%s: HTTP %d %s" % (key[0], key[1], status, data[:300]))

    t_burst = time.monotonic()
    parallel(fix, burst_keys)
    if not observer.wait(lambda: all(k in observer.seen_label and k in observer.seen_report
                                     for k in burst_keys), 60):
        raise SystemExit("the fixed Deployments were not all labelled true within 60 s")
    result["burst_fixes"] = len(burst_keys)
    result["burst_all_labels_s"] = max(observer.seen_label[k] for k in burst_keys) - t_burst
    result["burst_all_reports_s"] = max(observer.seen_report[k] for k in burst_keys) - t_burst
    wait_operator_idle(op)
    end_metrics = op.metrics()
    result["total_requests"] = requests_by_verb(end_metrics)
    result["at_end"] = op.proc_status()
    result["run_s"] = time.monotonic() - t0


class Churn:
    """Changes `rate` workloads a second (an annotation of the workload itself, not of its pod
    template: the controllers start no rollout, the operator sees a MODIFIED event and judges it
    again) from 8 threads, each change at its planned time, until stopped."""

    ANNOTATION = "bench.containersecurity.dev/churn"

    def __init__(self, cluster, rate, keys):
        self.cluster, self.rate, self.keys = cluster, rate, keys
        self.stopped = threading.Event()
        self.threads = []
        self.sent = 0
        self.failed = 0
        self.lock = threading.Lock()

    def start(self):
        if self.rate <= 0 or not self.keys:
            return
        self.t0 = time.monotonic()
        workers = 8
        for w in range(workers):
            t = threading.Thread(target=self.run, args=(w, workers), daemon=True)
            t.start()
            self.threads.append(t)

    def run(self, first, step):
        n = first
        while not self.stopped.is_set():
            due = self.t0 + n / self.rate
            wait = due - time.monotonic()
            if wait > 0 and self.stopped.wait(wait):
                return
            ns, name = self.keys[n % len(self.keys)]
            status, _ = self.cluster.request(
                "PATCH", workload_path(kind_of_name(name), ns, name),
                {"metadata": {"annotations": {self.ANNOTATION: str(n)}}},
                "application/merge-patch+json")
            with self.lock:
                self.sent += 1
                self.failed += status != 200
            n += step

    def stop(self):
        self.stopped.set()
        for t in self.threads:
            t.join()
        self.t1 = time.monotonic()

    def figures(self):
        if not self.threads:
            return {"changes": 0}
        seconds = self.t1 - self.t0
        return {"changes": self.sent, "failed": self.failed, "seconds": seconds,
                "rate": self.sent / seconds if seconds > 0 else 0}


def print_figures(r):
    def line(what, figure, target=""):
        print("  %-58s %-26s %s" % (what, figure, target))

    kb = lambda n: "%.0f KB" % (n / 1024.0)
    w = r["workloads"]
    print("csp-operator benchmark: %d namespaces, %d workloads %s, %d Pods Running, one policy"
          % (r["namespaces"], w, json.dumps(r["workloads_by_kind"]), r["pods_running"]))
    if r.get("operator_flags"):
        print("  operator flags: %s" % " ".join(r["operator_flags"]))
    line("start -> listening", "%.2f s" % r["listening_s"])
    line("start -> /readyz 200 (caches synced)", "%.2f s" % r["ready_s"])
    line("start -> first report", "%.2f s" % r["first_report_s"])
    line("start -> all reports written, right counts", "%.2f s" % r["all_reports_s"], "target < 10 s")
    line("start -> all workloads labelled", "%.2f s" % r["all_labels_s"])
    line("start -> work queue empty", "%.2f s" % r["idle_s"])
    line("peak RSS after start-up (VmHWM)", kb(r["after_startup"]["VmHWM"] * 1024),
         "target < 64 MB")
    line("RSS when ready / when all reports were written", "%s / %s" % (
        kb(r["rss_at_ready_kb"] * 1024), kb(r["rss_at_all_reports_kb"] * 1024)))
    line("highest RSS sample (every 50 ms) during start-up", "%s at %.1f s" % (
        kb(r["rss_peak_sample"]["kb"] * 1024), r["rss_peak_sample"]["s"]))
    line("peak RSS at the end (VmHWM) / RSS now", "%s / %s" % (
        kb(r["at_end"]["VmHWM"] * 1024), kb(r["at_end"]["VmRSS"] * 1024)), "target < 64 MB")
    line("RSS settled (after the steady state)", kb(r["settled"]["VmRSS"] * 1024))
    line("threads", str(r["at_end"]["Threads"]))
    line("CPU time of the operator: start-up / whole run", "%.1f s / %.1f s" % (
        r["after_startup"]["cpu_s"], r["at_end"]["cpu_s"]))
    line("API requests during start-up", "%d" % sum(r["startup_requests"].values()))
    print("    by verb and code: %s" % json.dumps(r["startup_requests"], sort_keys=True))
    line("  of which report writes / workload patches", "%d / %d" % (
        r["startup_report_writes"], r["startup_workload_patches"]))
    line("API requests over the whole run", "%d" % sum(r["total_requests"].values()))
    print("    by verb and code: %s" % json.dumps(r["total_requests"], sort_keys=True))
    line("reports / results / per workload", "%d / %d / %d" % (
        r["reports"], r["report_results"], r["rules_per_workload"]))
    line("largest report object (JSON as served)", kb(r["report_largest_bytes"]),
         "etcd refuses > 1.5 MiB")
    line("HTTP 429 from kube-apiserver (operator's / the server's)", "%d / %s" % (
        sum(v for k, v in r["total_requests"].items() if k.endswith(" 429")),
        json.dumps(r["apiserver_rejections"]) if r["apiserver_rejections"] else "0"))
    line("report JSON as served (managedFields incl.) per workload",
         "%.0f B" % (r["report_json_bytes"] / w), "target < 2 KB")
    line("  the same without managedFields", "%.0f B" % (
        r["report_json_bytes_without_managed_fields"] / w))
    print("    per workload by field: %s" % ", ".join(
        "%s %.0f" % (k, v / w) for k, v in r["report_bytes_by_field"].items()))
    line("etcd bytes of reports per workload", "%.0f B (%d keys)" % (
        r["etcd_report_bytes"] / w, r["etcd_report_keys"]), "target < 2 KB")
    line("  (for scale: etcd bytes per Deployment itself)", "%.0f B" % (
        r["etcd_deployment_bytes"] / max(1, r["etcd_deployment_keys"])))
    ops = r["steady_apiserver_writes_operator_resources"]
    line("steady state, %d s: apiserver writes on reports, Deployments," % r["steady_seconds"],
         "%d" % sum(ops.values()), "target 0")
    line("  Events, policies (apiserver_request_total)", json.dumps(ops) if ops else "")
    line("  operator's report writes / workload patches", "%d / %d" % (
        r["steady_operator_report_writes"], r["steady_operator_workload_patches"]), "target 0")
    print("    operator requests in that time (Lease GET+PUT every 2 s): %s" % json.dumps(
        r["steady_operator_requests"], sort_keys=True))
    print("    all apiserver writes in that time: %s" % json.dumps(
        r["steady_apiserver_writes_all"], sort_keys=True))
    n = len(r["latency_samples"])
    if r["churn"].get("changes"):
        line("churn meanwhile: changes / rate achieved", "%d / %.1f a second (%d failed)" % (
            r["churn"]["changes"], r["churn"]["rate"], r["churn"]["failed"]))
    lp = r["latency_phase"]
    line("  operator meanwhile: reconciles / their time / CPU", "%d / %.1f s / %.1f s" % (
        lp["reconciles"], lp["reconcile_seconds"], lp["operator_cpu_s"]))
    line("violating update -> label, p50 / p99 / max (%d)" % n, "%.0f / %.0f / %.0f ms" % (
        r["latency_label_p50"] * 1e3, r["latency_label_p99"] * 1e3, r["latency_label_max"] * 1e3),
        "target p99 < 1 s")
    line("violating update -> report result, p50 / p99 / max", "%.0f / %.0f / %.0f ms" % (
        r["latency_report_p50"] * 1e3, r["latency_report_p99"] * 1e3,
        r["latency_report_max"] * 1e3), "target p99 < 1 s")
    line("  (the PATCH's own round trip, p50 / p99)", "%.0f / %.0f ms" % (
        r["latency_ack_p50"] * 1e3, r["latency_ack_p99"] * 1e3))
    tr = r.get("latency_trace", {})
    if tr.get("samples_traced"):
        line("  PATCH -> the pass that wrote the report began, p50 / p99 (%d traced)" %
             tr["samples_traced"], "%.0f / %.0f ms" % (tr["to_start_p50"] * 1e3,
                                                       tr["to_start_p99"] * 1e3))
        line("    of which its key's wait in the queue, p50 / p99", "%.0f / %.0f ms" % (
            tr["queued_p50"] * 1e3, tr["queued_p99"] * 1e3))
        line("  that pass, its writes included, p50 / p99", "%.0f / %.0f ms" % (
            tr["pass_p50"] * 1e3, tr["pass_p99"] * 1e3))
        if "writes_p50" in tr:
            line("    of which its report writes, p50 / p99", "%.0f / %.0f ms" % (
                tr["writes_p50"] * 1e3, tr["writes_p99"] * 1e3))
    line("%d fixes at once -> all labelled / all in reports" % r["burst_fixes"], "%.2f s / %.2f s" % (
        r["burst_all_labels_s"], r["burst_all_reports_s"]))
    line("exit code on SIGTERM", str(r["exit_code_on_sigterm"]))
    line("restart (all in place): /readyz 200 / work done", "%.2f s / %.2f s" % (
        r["restart_ready_s"], r["restart_idle_s"]))
    line("  its report writes / workload patches / peak RSS", "%d / %d / %s" % (
        r["restart_report_writes"], r["restart_workload_patches"],
        kb(r["restart_status"]["VmHWM"] * 1024)), "target 0 writes")
    print("    its requests by verb and code: %s" % json.dumps(r["restart_requests"], sort_keys=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["create", "wait-pods", "reset", "measure"])
    parser.add_argument("--cluster", required=True, help="the hack/cluster.sh folder")
    parser.add_argument("--namespaces", type=int, default=100)
    parser.add_argument("--per-ns", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=5)
    parser.add_argument("--first-ns", type=int, default=0,
                        help="create: namespaces FIRST_NS..NAMESPACES-1 (to grow a cluster)")
    parser.add_argument("--statefulsets", type=int, default=0, help="create: per namespace")
    parser.add_argument("--daemonsets", type=int, default=0, help="create: per namespace")
    parser.add_argument("--cronjobs", type=int, default=0, help="create: per namespace")
    parser.add_argument("--nodes", type=int, default=100,
                        help="create: kwok nodes to spread the DaemonSets' Pods over")
    parser.add_argument("--churn", type=float, default=0,
                        help="measure: workload changes a second during the latency samples")
    parser.add_argument("--every", type=int, default=4, help="one in EVERY Deployments violates")
    parser.add_argument("--expect", type=int, default=10000)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds; wait-pods")
    parser.add_argument("--measure-timeout", type=int, default=600,
                        help="seconds; each wait of measure (all reports, all labels, ...)")
    parser.add_argument("--operator")
    parser.add_argument("--kubeconfig")
    parser.add_argument("--log", default="/tmp/csp-bench-operator.log")
    parser.add_argument("--json")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between latency samples")
    parser.add_argument("--quiet", type=int, default=60, help="seconds of steady state")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    args.extra = extra  # after --: more csp-operator flags
    cluster = Cluster(args.cluster)
    if args.command == "create":
        cmd_create(cluster, args)
    elif args.command == "wait-pods":
        cmd_wait_pods(cluster, args)
    elif args.command == "reset":
        cmd_reset(cluster, args)
    else:
        if not args.operator or not args.kubeconfig:
            parser.error("measure needs --operator and --kubeconfig")
        args.timeout = args.measure_timeout
        cmd_measure(cluster, args)


if __name__ == "__main__":
    main()
