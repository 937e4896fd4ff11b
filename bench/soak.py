#!/usr/bin/env python3
"""The driver of bench/soak.sh (docs/benchmarks.md, "Soak"): churn, samples, the final check.

Talks to the cluster with kubectl (the cluster is hack/cluster.sh's; KUBECONFIG is set), so
that every write goes through the same path as an admin's. A benchmark: it prints figures and
asserts nothing, except that the final comparison prints `equal` or `different`; the exit
status is 0 when the reports are equal, 1 when they differ, 2 when it could not measure.

  soak.py run     --minutes M --pid-file F --csv OUT --cluster-script hack/cluster.sh
                  [--namespaces N --workloads W --ops O --seed S]
  soak.py compare --cspctl BIN --out DIR
  soak.py plot    --csv OUT --svg FILE

`run`: every minute, O operations spread over the minute (create a workload, change its pod
template or labels, delete one), keeping about W workloads in namespaces soak-00..; a policy
edit every 10 minutes; kube-apiserver killed and restarted at 1/3 and 2/3 of the run (down for
20 s); the operator's RSS, open file descriptors and threads sampled every minute to the CSV.
`compare`: the operator's PolicyReports against `cspctl scan -o json` of `kubectl get -o yaml`
of the same Namespaces and top-level workloads with the same policies.
`plot`: the CSV as an SVG (no dependency) and as rows of text on stdout.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time

NS_PREFIX = "soak-"
POLICIES = ["soak-label", "soak-audit"]
WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod"]
# Resource names for `kubectl get`: Namespaces first, so that namespaceSelector sees labels.
GET_KINDS = "namespaces,deployments,statefulsets,daemonsets,cronjobs,jobs,replicasets,pods," \
            "replicationcontrollers,podtemplates"
OWNER_KINDS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob",
               "ReplicationController"}
MANAGED_BY = "app.kubernetes.io/managed-by"
APISERVER_DOWN_S = 20


def log(*parts):
    print(time.strftime("%H:%M:%S"), "soak:", *parts, file=sys.stderr, flush=True)


def kubectl(*args, stdin=None, check=True):
    done = subprocess.run(["kubectl", *args], input=stdin, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError("kubectl %s: %s" % (" ".join(args[:3]), done.stderr.strip()[:300]))
    return done.stdout


def apply(obj):
    kubectl("apply", "--server-side", "--force-conflicts", "--field-manager=soak", "-f", "-",
            stdin=json.dumps(obj))


# ---- Workloads and policies ----------------------------------------------------------------


def container(rng, name="app"):
    """A container that passes every default control, or breaks one of them."""
    c = {
        "name": name,
        "image": "registry.local/app:%d" % rng.randrange(1, 50),
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    flaw = rng.choice(["none", "none", "privileged", "root", "capability", "no-seccomp"])
    sc = c["securityContext"]
    if flaw == "privileged":
        sc["privileged"] = True
        del sc["allowPrivilegeEscalation"]  # the API refuses privileged with it false
    elif flaw == "root":
        sc["runAsNonRoot"] = False
    elif flaw == "capability":
        sc["capabilities"]["add"] = [rng.choice(["NET_ADMIN", "SYS_TIME", "NET_BIND_SERVICE"])]
    elif flaw == "no-seccomp":
        del sc["seccompProfile"]
    return c


def pod_spec(rng):
    spec = {"containers": [container(rng)], "terminationGracePeriodSeconds": 0}
    if rng.random() < 0.1:
        spec["volumes"] = [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]
        spec["containers"][0]["volumeMounts"] = [{"name": "sock", "mountPath": "/sock"}]
    return spec


def template(rng, name):
    return {"metadata": {"labels": {"app": name, "tier": rng.choice(["web", "batch"])}},
            "spec": pod_spec(rng)}


def workload(rng, kind, ns, name):
    meta = {"name": name, "namespace": ns, "labels": {"soak": "true"}}
    selector = {"matchLabels": {"app": name}}
    if kind == "Pod":
        t = template(rng, name)
        meta["labels"].update(t["metadata"]["labels"])
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": t["spec"]}
    if kind == "Job":
        t = template(rng, name)
        t["spec"]["restartPolicy"] = "Never"
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta,
                "spec": {"template": t, "backoffLimit": 0}}
    if kind == "CronJob":
        t = template(rng, name)
        t["spec"]["restartPolicy"] = "Never"
        return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta,
                "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid",
                         "jobTemplate": {"spec": {"template": t}}}}
    spec = {"selector": selector, "template": template(rng, name)}
    if kind in ("Deployment", "StatefulSet"):
        spec["replicas"] = 1
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}


def policy(name, edit):
    """Policy `name` in its `edit`-th variant: controls, severities and exemptions move."""
    spec = {
        "match": {"namespaceSelector": {"matchLabels": {"soak": "true"}}},
        "action": "Label" if name == "soak-label" else "Audit",
        "controls": {
            "capabilities": {"allowed": ["NET_BIND_SERVICE"] if edit % 2 else []},
            "runAsNonRoot": {"enabled": edit % 3 != 1},
            "privileged": {"severity": ["critical", "high"][edit % 2]},
        },
    }
    if name == "soak-audit":
        spec["match"]["kinds"] = ["Deployment", "StatefulSet", "Pod"]
        if edit % 2:
            spec["match"]["workloadSelector"] = {"matchLabels": {"soak": "true"}}
    if edit % 4 == 2:
        spec["exemptions"] = [{"rules": ["disallow-privileged"], "names": ["*-1*"],
                               "reason": "soak: exempt names with a 1"}]
    return {"apiVersion": "containersecurity.dev/v1alpha1", "kind": "ContainerSecurityPolicy",
            "metadata": {"name": name}, "spec": spec}


# ---- Sampling --------------------------------------------------------------------------------


def sample(pid):
    """(RSS KiB, open fds, threads) of process `pid`."""
    rss = threads = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key == "VmRSS":
                rss = int(value.split()[0])
            elif key == "Threads":
                threads = int(value.split()[0])
    return rss, len(os.listdir("/proc/%d/fd" % pid)), threads


# ---- run --------------------------------------------------------------------------------------


class Churn:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.live = {}  # (ns, name) -> kind
        self.serial = 0
        self.counts = {"create": 0, "change": 0, "delete": 0, "policy": 0, "failed": 0}
        self.policy_edit = 0

    def namespaces(self):
        return ["%s%02d" % (NS_PREFIX, i) for i in range(self.args.namespaces)]

    def setup(self):
        for ns in self.namespaces():
            apply({"apiVersion": "v1", "kind": "Namespace",
                   "metadata": {"name": ns, "labels": {"soak": "true"}}})
        for name in POLICIES:
            apply(policy(name, 0))
        while len(self.live) < self.args.workloads:
            self.create()

    def create(self):
        kind = self.rng.choice(WORKLOAD_KINDS)
        ns = self.rng.choice(self.namespaces())
        self.serial += 1
        name = "%s-%d" % (kind.lower(), self.serial)
        apply(workload(self.rng, kind, ns, name))
        self.live[(ns, name)] = kind
        self.counts["create"] += 1

    def change(self):
        (ns, name), kind = self.rng.choice(sorted(self.live.items()))
        if kind in ("Pod", "Job"):  # pod templates of these are immutable: replace
            kubectl("delete", kind.lower(), name, "-n", ns, "--timeout=60s")
        apply(workload(self.rng, kind, ns, name))
        self.counts["change"] += 1

    def delete(self):
        (ns, name), kind = self.rng.choice(sorted(self.live.items()))
        kubectl("delete", kind.lower(), name, "-n", ns, "--wait=false", "--ignore-not-found")
        del self.live[(ns, name)]
        self.counts["delete"] += 1

    def edit_policy(self):
        self.policy_edit += 1
        apply(policy(POLICIES[self.policy_edit % 2], self.policy_edit))
        self.counts["policy"] += 1

    def one_op(self):
        # Keep the population near its target: create more below it, delete more above it.
        bias = (len(self.live) - self.args.workloads) / max(self.args.workloads, 1)
        r = self.rng.random()
        op = self.create if r < 0.33 - bias else self.delete if r > 0.67 - bias else self.change
        if op != self.create and not self.live:
            op = self.create
        try:
            op()
        except RuntimeError as e:  # the apiserver is down, or a Job was still being deleted
            self.counts["failed"] += 1
            log("operation failed:", e)


def restart_apiserver(cluster_script):
    log("killing kube-apiserver")
    subprocess.run([cluster_script, "kill", "kube-apiserver"], check=True)
    time.sleep(APISERVER_DOWN_S)
    subprocess.run([cluster_script, "start", "kube-apiserver"], check=True)
    log("kube-apiserver is back")


def cmd_run(args):
    pid = int(open(args.pid_file).read())
    churn = Churn(args)
    churn.setup()
    log("set up: %d namespaces, %d workloads, policies %s" % (
        args.namespaces, len(churn.live), ", ".join(POLICIES)))
    restarts = {args.minutes // 3, (2 * args.minutes) // 3}
    with open(args.csv, "w") as csv:
        csv.write("minute,rss_kib,fds,threads,workloads,creates,changes,deletes,policy_edits,"
                  "failed_ops,event\n")
        start = time.monotonic()
        for minute in range(args.minutes + 1):
            try:
                rss, fds, threads = sample(pid)
            except FileNotFoundError:
                raise SystemExit("csp-operator (pid %d) exited in minute %d" % (pid, minute))
            event = ""
            if minute in restarts and 0 < minute < args.minutes:
                event = "apiserver restart"
            c = churn.counts
            csv.write("%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s\n" % (
                minute, rss, fds, threads, len(churn.live), c["create"], c["change"],
                c["delete"], c["policy"], c["failed"], event))
            csv.flush()
            log("minute %d: RSS %.1f MiB, %d fds, %d threads, %d workloads %s" % (
                minute, rss / 1024, fds, threads, len(churn.live), event))
            if minute == args.minutes:
                break
            if event:
                restart_apiserver(args.cluster_script)
            if minute % 10 == 9:
                churn.edit_policy()
            for i in range(args.ops):
                churn.one_op()
                next_op = start + 60 * minute + 60 * (i + 1) / (args.ops + 1)
                time.sleep(max(0, next_op - time.monotonic()))
            time.sleep(max(0, start + 60 * (minute + 1) - time.monotonic()))
    log("churn done: %s" % json.dumps(churn.counts))


# ---- compare ----------------------------------------------------------------------------------


def top_level(items):
    """The objects the operator reports on: Namespaces, and workloads without a workload
    controller (a Deployment's ReplicaSets and Pods, a CronJob's Jobs belong to their owner)."""
    out = []
    for item in items:
        owners = item["metadata"].get("ownerReferences") or []
        if any(o.get("controller") and o.get("kind") in OWNER_KINDS for o in owners):
            continue
        if item["kind"] != "Namespace" and not item["metadata"]["namespace"].startswith(
                NS_PREFIX):
            continue
        out.append(item)
    return out


def results_by_report(reports):
    """{(namespace, policy): sorted results without what only the live report carries}."""
    out = {}
    for report in reports:
        ns = report["metadata"].get("namespace", "")
        if not ns.startswith(NS_PREFIX):
            continue
        for r in report.get("results") or []:
            kept = {k: v for k, v in r.items() if k not in ("timestamp", "properties")}
            props = {k: v for k, v in (r.get("properties") or {}).items()
                     if k != "remediation"}
            kept["properties"] = props
            out.setdefault((ns, r.get("policy", "")), []).append(json.dumps(kept, sort_keys=True))
    return {key: sorted(values) for key, values in out.items()}


def cmd_compare(args):
    os.makedirs(args.out, exist_ok=True)
    objects = json.loads(kubectl("get", GET_KINDS, "-A", "-o", "json"))["items"]
    inputs = top_level(objects)
    with open(os.path.join(args.out, "objects.json"), "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": inputs}, f)
    policy_files = []
    for name in POLICIES:
        path = os.path.join(args.out, "policy-%s.json" % name)
        with open(path, "w") as f:
            f.write(kubectl("get", "containersecuritypolicy", name, "-o", "json"))
        policy_files.append(path)
    argv = [args.cspctl, "scan", "-o", "json"]
    for path in policy_files:
        argv += ["--policy", path]
    scan = subprocess.run(argv + [os.path.join(args.out, "objects.json")], capture_output=True,
                          text=True)
    if scan.returncode == 2:
        log("cspctl scan failed:", scan.stderr.strip()[:500])
        return 2
    offline = results_by_report(json.loads(scan.stdout)["items"])
    live_reports = json.loads(kubectl("get", "policyreports", "-A", "-o", "json"))["items"]
    live = results_by_report(
        [r for r in live_reports
         if (r["metadata"].get("labels") or {}).get(MANAGED_BY) == "csp-operator"])
    with open(os.path.join(args.out, "offline.json"), "w") as f:
        json.dump({"%s/%s" % k: v for k, v in sorted(offline.items())}, f, indent=1)
    with open(os.path.join(args.out, "live.json"), "w") as f:
        json.dump({"%s/%s" % k: v for k, v in sorted(live.items())}, f, indent=1)
    workloads = sum(1 for o in inputs if o["kind"] != "Namespace")
    results = sum(len(v) for v in offline.values())
    if offline == live:
        print("reports: equal (%d workloads, %d (namespace, policy) reports, %d results)" % (
            workloads, len(offline), results))
        return 0
    differing = sorted(set(offline) ^ set(live) |
                       {k for k in set(offline) & set(live) if offline[k] != live[k]})
    print("reports: different in %d of %d (namespace, policy) pairs, first: %s (details: "
          "%s/offline.json and live.json)" % (len(differing), len(set(offline) | set(live)),
                                              "/".join(differing[0]), args.out))
    return 1


# ---- plot -------------------------------------------------------------------------------------


def svg_plot(rows, path):
    """RSS (MiB, left axis) and open fds (right axis) against minutes."""
    width, height, pad = 720, 300, 50
    minutes = [r["minute"] for r in rows]
    rss = [r["rss_kib"] / 1024 for r in rows]
    fds = [r["fds"] for r in rows]
    x_max = max(max(minutes), 1)
    rss_max = max(max(rss) * 1.25, 1)
    fds_max = max(max(fds) * 1.25, 1)

    def xy(minute, value, top):
        return (pad + (width - 2 * pad) * minute / x_max,
                height - pad - (height - 2 * pad) * value / top)

    def line(values, top, colour):
        points = " ".join("%.1f,%.1f" % xy(m, v, top) for m, v in zip(minutes, values))
        return '<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (colour,
                                                                                   points)

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'font-family="sans-serif" font-size="12">' % (width, height),
             '<rect width="100%" height="100%" fill="white"/>']
    x0, y0 = xy(0, 0, 1)
    x1, y1 = xy(x_max, 1, 1)
    parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" '
                 'stroke="#888"/>' % (x0, y1, x1 - x0, y0 - y1))
    for i in range(5):
        frac = i / 4
        y = y0 - (y0 - y1) * frac
        parts.append('<text x="%.1f" y="%.1f" text-anchor="end" fill="#1f77b4">%.0f</text>' % (
            x0 - 4, y + 4, rss_max * frac))
        parts.append('<text x="%.1f" y="%.1f" fill="#d62728">%.0f</text>' % (
            x1 + 4, y + 4, fds_max * frac))
        x = x0 + (x1 - x0) * frac
        parts.append('<text x="%.1f" y="%.1f" text-anchor="middle">%.0f</text>' % (
            x, y0 + 16, x_max * frac))
    for r in rows:
        if r["event"]:
            x, _ = xy(r["minute"], 0, 1)
            parts.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#aaa" '
                         'stroke-dasharray="4"/>' % (x, y0, x, y1))
    parts.append(line(rss, rss_max, "#1f77b4"))
    parts.append(line(fds, fds_max, "#d62728"))
    parts.append('<text x="%.1f" y="%.1f" text-anchor="middle">minutes (dashed: kube-apiserver '
                 'restarts)</text>' % ((x0 + x1) / 2, height - 10))
    parts.append('<text x="%.1f" y="20" fill="#1f77b4">RSS MiB</text>' % x0)
    parts.append('<text x="%.1f" y="20" text-anchor="end" fill="#d62728">open fds</text>' % x1)
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def cmd_plot(args):
    with open(args.csv) as f:
        header = f.readline().strip().split(",")
        rows = []
        for line in f:
            fields = dict(zip(header, line.rstrip("\n").split(",")))
            rows.append({"minute": int(fields["minute"]), "rss_kib": int(fields["rss_kib"]),
                         "fds": int(fields["fds"]), "threads": int(fields["threads"]),
                         "event": fields["event"]})
    if not rows:
        return 2
    svg_plot(rows, args.svg)
    rss = [r["rss_kib"] / 1024 for r in rows]
    fds = [r["fds"] for r in rows]
    steady = rows[len(rows) // 4:]  # after the caches have filled
    print("RSS MiB: first %.1f, min %.1f, max %.1f, last %.1f; after the first quarter "
          "%.1f-%.1f" % (rss[0], min(rss), max(rss), rss[-1],
                         min(r["rss_kib"] for r in steady) / 1024,
                         max(r["rss_kib"] for r in steady) / 1024))
    print("open fds: first %d, min %d, max %d, last %d" % (fds[0], min(fds), max(fds), fds[-1]))
    print("threads: min %d, max %d" % (min(r["threads"] for r in rows),
                                       max(r["threads"] for r in rows)))
    scale = max(rss) or 1
    for r in rows[::max(1, len(rows) // 30)]:
        print("%4d min %6.1f MiB %4d fds |%s%s" % (
            r["minute"], r["rss_kib"] / 1024, r["fds"], "#" * int(50 * r["rss_kib"] / 1024 / scale),
            "  <- " + r["event"] if r["event"] else ""))
    print("plot: %s" % args.svg)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--minutes", type=int, default=120)
    run.add_argument("--pid-file", required=True)
    run.add_argument("--csv", required=True)
    run.add_argument("--cluster-script", required=True)
    run.add_argument("--namespaces", type=int, default=10)
    run.add_argument("--workloads", type=int, default=150)
    run.add_argument("--ops", type=int, default=20, help="operations a minute")
    run.add_argument("--seed", type=int, default=11)
    compare = sub.add_parser("compare")
    compare.add_argument("--cspctl", required=True)
    compare.add_argument("--out", required=True)
    plot = sub.add_parser("plot")
    plot.add_argument("--csv", required=True)
    plot.add_argument("--svg", required=True)
    args = parser.parse_args()
    if args.command == "run":
        cmd_run(args)
        return 0
    return cmd_compare(args) if args.command == "compare" else cmd_plot(args)


if __name__ == "__main__":
    sys.exit(main())
