#!/usr/bin/env python3
"""csp-agent benchmark (docs/benchmarks.md, "csp-agent"); bench/agent_bench.sh runs it.

Starts one csp-agent per kwok node of a running cluster (KUBECONFIG), each with its own --root
under WORKDIR, and prints:
  A. resident memory and CPU of the agents at idle;
  B. the time from a SecurityProfile change (create, update, delete) to the file on every
     agent's root, polled every 5 ms, and until every agent's status entry and report result
     are written;
  C. resident memory and CPU while a smaller fleet installs 100 profiles at once (each node's
     report grows with its profiles and must stay under etcd's 1.5 MiB object limit).
It asserts nothing; it measures.
"""
import argparse
import atexit
import base64
import concurrent.futures
import datetime
import http.client
import json
import os
import ssl
import tempfile
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def kubectl(*args, stdin=None, check=True):
    r = subprocess.run(["kubectl", *args], input=stdin, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"kubectl {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


class Api:
    """Direct API calls (client certificate from the kubeconfig), so that a change is timed from
    the moment its request is sent rather than from a kubectl process's start or return."""

    def __init__(self, kubeconfig):
        config = json.loads(subprocess.run(
            ["kubectl", "--kubeconfig", kubeconfig, "config", "view", "--raw", "-o", "json"],
            check=True, capture_output=True, text=True).stdout)
        cluster, user = config["clusters"][0]["cluster"], config["users"][0]["user"]
        self.dir = tempfile.mkdtemp(prefix="csp-bench-tls-")
        atexit.register(shutil.rmtree, self.dir, True)
        files = {}
        for key in ("certificate-authority-data", "client-certificate-data", "client-key-data"):
            path = os.path.join(self.dir, key)
            with open(path, "wb") as f:
                f.write(base64.b64decode(cluster.get(key) or user.get(key)))
            files[key] = path
        self.context = ssl.create_default_context(cafile=files["certificate-authority-data"])
        self.context.load_cert_chain(files["client-certificate-data"], files["client-key-data"])
        self.host = cluster["server"].split("://", 1)[1]

    def call(self, method, path, body=None, content_type="application/json"):
        conn = http.client.HTTPSConnection(self.host, context=self.context, timeout=60)
        data = json.dumps(body) if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": content_type})
        r = conn.getresponse()
        text = r.read()
        conn.close()
        if r.status >= 300:
            sys.exit(f"{method} {path}: {r.status} {text[:300]!r}")
        return json.loads(text) if text else None


PROFILES = "/apis/containersecurity.dev/v1alpha1/securityprofiles"


def seccomp_object(name, action="SCMP_ACT_ERRNO"):
    return {"apiVersion": "containersecurity.dev/v1alpha1", "kind": "SecurityProfile",
            "metadata": {"name": name},
            "spec": {"type": "Seccomp", "seccomp": {
                "defaultAction": action, "architectures": ["SCMP_ARCH_X86_64"],
                "syscalls": [{"names": ["read", "write", "exit_group", "futex", "mmap"],
                              "action": "SCMP_ACT_ALLOW"}]}}}


class Agent:
    def __init__(self, binary, node, root, kubeconfig):
        self.node, self.root = node, root
        os.makedirs(root, exist_ok=True)
        self.log_path = root + ".log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "run", "--node-name", node, "--root", root, "--kubeconfig", kubeconfig,
             "--listen-address", "127.0.0.1:0", "--log-format", "text"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.port = None

    def find_port(self):
        if self.port is None:
            m = re.search(r"serving .* port=(\d+)", open(self.log_path).read())
            if m:
                self.port = int(m.group(1))
        return self.port

    def get(self, path):
        if self.find_port() is None:
            return None
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.read().decode()
        except Exception:
            return None

    def ready(self):
        return self.get("/readyz") is not None

    def metric(self, name):
        text = self.get("/metrics") or ""
        m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
        return float(m.group(1)) if m else None

    def rss_kb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime

    def seccomp_file(self, name):
        return os.path.join(self.root, "var/lib/kubelet/seccomp/containersecurity", name + ".json")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def summary(values, unit, scale=1.0):
    values = sorted(v * scale for v in values)
    if not values:
        return "n/a"
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return (f"min {values[0]:.1f} {unit}, median {statistics.median(values):.1f} {unit}, "
            f"p95 {p95:.1f} {unit}, max {values[-1]:.1f} {unit}")


def wait(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def time_to_files(agents, name, present, content=None, timeout=120, start=None):
    """Seconds from `start` until each agent's file for `name` exists (or is gone)."""
    start = time.monotonic() if start is None else start
    pending = {a.node: a for a in agents}
    seen = {}
    while pending and time.monotonic() - start < timeout:
        for node, a in list(pending.items()):
            path = a.seccomp_file(name)
            ok = os.path.exists(path) == present
            if ok and present and content is not None:
                try:
                    ok = content in open(path).read()
                except OSError:
                    ok = False
            if ok:
                seen[node] = time.monotonic() - start
                del pending[node]
        time.sleep(0.005)
    return seen, len(pending)


def status_converged(name, n):
    out = kubectl("get", "securityprofile", name, "-o", "json", check=False)
    try:
        nodes = json.loads(out)["status"]["nodes"]
    except Exception:
        return False
    return nodes.get("installed") == n and nodes.get("pending") == 0


NODE_REPORTS = ("/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports"
                "?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcsp-agent")


def reported_installed(api, profile_ref):
    """The nodes whose report says `profile_ref` is Installed."""
    reports = api.call("GET", NODE_REPORTS).get("items", [])
    return {r["properties"]["node"] for report in reports for r in report.get("results", [])
            if r["properties"]["profile"] == profile_ref
            and r["properties"]["state"] == "Installed"}


def log_time(stamp):
    """Unix time of a log timestamp (2026-12-07T16:57:58.166Z, both log formats)."""
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def reports_written_after(agents, wall):
    """Seconds from Unix time `wall` to each agent's first "node report updated" log line after
    it: when its write returned, by its own clock (the same machine's)."""
    times = {}
    for a in agents:
        for line in open(a.log_path):
            if "node report updated" in line:
                at = log_time(line.split()[0])
                if at >= wall:
                    times[a.node] = at - wall
                    break
    return times


class OperatorLog:
    """csp-operator's log, read as it grows: when (its own timestamp) it last rebuilt its node
    facts."""

    def __init__(self, path):
        self.file = open(path)
        self.last_rebuild = None  # Unix time of the last rebuild line read

    def poll(self):
        for line in self.file.readlines():
            if "node profiles changed" in line:
                self.last_rebuild = log_time(json.loads(line)["ts"])


def time_to_reports_and_status(api, name, n, start, operator_log=None, timeout=300,
                               present=True, wall=None):
    # operator_log: reset (last_rebuild None) before the change was made at Unix time `wall`.
    """Seconds from `start` until each node's report says profile `name` is Installed (per
    node; with `present` false, until it no longer does: the profile was deleted, and then
    there is no status to wait for), until its SecurityProfile status counts all `n`
    installed, and until the operator
    last rebuilt its node facts (its log read every 50 ms for 2 s after the last report; none:
    no operator), polled together: the status on a thread of its own, so that a slow answer
    about it does not delay seeing the reports."""
    seen, t_status, t_facts = {}, None, None

    def status_done():
        while present and time.monotonic() - start < timeout:
            profile = api.call("GET", f"{PROFILES}/{name}")
            # The counts are as of the last write: right after an update they still count the
            # old generation, so each entry's generation is checked too.
            entries = (profile.get("status") or {}).get("nodeStatus", [])
            if (len(entries) == n and all(
                    e.get("state") == "Installed" and
                    e.get("observedGeneration") == profile["metadata"]["generation"]
                    for e in entries)):
                return time.monotonic() - start
            time.sleep(0.05)
        return None

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        status = pool.submit(status_done)
        while time.monotonic() - start < timeout and len(seen) < n:
            installed = reported_installed(api, f"containersecurity/{name}.json")
            answered = time.monotonic() - start  # an upper bound of when each was written
            changed = installed if present else {f"kwok-node-{i}" for i in range(n)} - installed
            for node in changed - seen.keys():
                seen[node] = answered
            if operator_log:
                operator_log.poll()
            time.sleep(0.05)
        if operator_log and len(seen) == n:
            # The rebuild that takes in the last report may come after it was seen here.
            settle = max(seen.values()) + start + 2
            while time.monotonic() < settle:
                operator_log.poll()
                time.sleep(0.05)
            if operator_log.last_rebuild is not None:
                t_facts = operator_log.last_rebuild - wall
        t_status = status.result()
    return seen, t_status, t_facts


def report_results(api, profile_ref):
    """Nodes whose own report says `profile_ref` is Installed (what the operator's node facts
    read: every agent's report, listed by label), and the largest report's size as JSON."""
    reports = api.call("GET", NODE_REPORTS).get("items", [])
    count = sum(1 for report in reports for r in report.get("results", [])
                if r["properties"]["profile"] == profile_ref
                and r["properties"]["state"] == "Installed")
    return count, max((len(json.dumps(report)) for report in reports), default=0)


def sample_fleet(agents, seconds):
    cpu0 = {a.node: a.cpu_seconds() for a in agents}
    t0 = time.monotonic()
    peak = {a.node: a.rss_kb() for a in agents}
    while time.monotonic() - t0 < seconds:
        for a in agents:
            peak[a.node] = max(peak[a.node], a.rss_kb())
        time.sleep(0.5)
    elapsed = time.monotonic() - t0
    cpu = [(a.cpu_seconds() - cpu0[a.node]) / elapsed * 100 for a in agents]
    return [a.rss_kb() / 1024 for a in agents], [v / 1024 for v in peak.values()], cpu


def control_plane_cpu():
    """CPU seconds used so far by the cluster's processes (hack/cluster.sh's pids/)."""
    total = {}
    pids = os.path.join(os.environ.get("CSP_CLUSTER_DIR", ""), "pids")
    for name in sorted(os.listdir(pids)) if os.path.isdir(pids) else []:
        try:
            pid = open(os.path.join(pids, name)).read().strip()
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total[name.removesuffix(".pid")] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        except OSError:
            pass
    return total


def metric_sum(agents, name):
    """Sum over the agents; an agent that does not answer is asked again (it must count)."""
    total = 0
    for a in agents:
        for _ in range(10):
            value = a.metric(name)
            if value is not None:
                total += value
                break
            time.sleep(0.5)
        else:
            print(f"  (agent {a.node} did not answer /metrics)")
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True)
    ap.add_argument("--kubeconfig", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--install-fleet", type=int, default=10)
    ap.add_argument("--operator", help="csp-operator binary: run it too, and time its node facts")
    ap.add_argument("--profiles", type=int, default=100)
    ap.add_argument("--idle-seconds", type=int, default=30)
    args = ap.parse_args()

    kubectl("delete", "securityprofiles", "--all", "--wait=true", check=False)
    kubectl("delete", "clusterpolicyreports", "-l", "app.kubernetes.io/managed-by=csp-agent",
            "--ignore-not-found")
    api = Api(args.kubeconfig)
    operator, operator_log = None, None
    if args.operator:
        log_path = os.path.join(args.workdir, "operator.log")
        operator = subprocess.Popen(
            [args.operator, "--kubeconfig", args.kubeconfig, "--listen-address", "127.0.0.1:0",
             "--webhook-listen-address=", "--leader-elect=false", "--log-format", "json"],
            stdout=open(log_path, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        operator_log = OperatorLog(log_path)
    nodes = [f"kwok-node-{i}" for i in range(args.nodes)]
    print(f"starting {len(nodes)} agents")
    t0 = time.monotonic()
    agents = [Agent(args.agent, n, os.path.join(args.workdir, n), args.kubeconfig) for n in nodes]
    try:
        if not wait(lambda: all(a.ready() for a in agents), 300, 0.5):
            sys.exit("agents not ready: " + ", ".join(a.node for a in agents if not a.ready()))
        print(f"  all ready after {time.monotonic() - t0:.1f} s (from the first start)")
        wait(lambda: all(a.metric("csp_agent_status_in_sync") == 1 for a in agents), 300, 1)
        print(f"  start-up status writes: {metric_sum(agents, 'csp_agent_status_writes_total'):.0f},"
              f" conflicts retried: {metric_sum(agents, 'csp_agent_status_conflicts_total'):.0f}")

        print(f"A. idle, {len(agents)} agents, {args.idle_seconds} s")
        rss, _, cpu = sample_fleet(agents, args.idle_seconds)
        print(f"  RSS: {summary(rss, 'MiB')}")
        print(f"  CPU: {summary(cpu, '%')} of one core")
        pss = []
        for a in agents[:5]:
            for line in open(f"/proc/{a.proc.pid}/smaps_rollup"):
                if line.startswith("Pss:") or line.startswith("Anonymous:"):
                    pss.append(line.split()[0] + line.split()[1])
        print(f"  first agents' Pss/Anonymous (kB): {' '.join(pss[:6])}")

        print(f"B. one SecurityProfile to {len(agents)} agents (times from the request's start)")
        name = "bench-latency"
        writes0 = metric_sum(agents, "csp_agent_status_writes_total")
        conflicts0 = metric_sum(agents, "csp_agent_status_conflicts_total")
        for step in ("create", "update", "delete"):
            cpu_agents0 = sum(a.cpu_seconds() for a in agents)
            cpu_plane0 = control_plane_cpu()
            if operator_log:  # rebuilds from now on are this change's
                operator_log.poll()
                operator_log.last_rebuild = None
            t, wall = time.monotonic(), time.time()
            if step == "create":
                api.call("POST", PROFILES, seccomp_object(name))
                seen, missing = time_to_files(agents, name, True, None, start=t)
            elif step == "update":
                api.call("PATCH", f"{PROFILES}/{name}",
                         {"spec": {"seccomp": {"defaultAction": "SCMP_ACT_KILL_PROCESS"}}},
                         "application/merge-patch+json")
                seen, missing = time_to_files(agents, name, True, "KILL_PROCESS", start=t)
            else:
                api.call("DELETE", f"{PROFILES}/{name}")
                seen, missing = time_to_files(agents, name, False, None, start=t)
            print(f"  {step}: file right on {len(seen)}/{len(agents)} agents ({missing} missing):"
                  f" {summary(seen.values(), 'ms', 1000)}")
            # An update leaves the reports as they were (Installed before and after): only a
            # create or a delete changes them, and the operator's node facts.
            if step != "update":
                reported, t_status, t_facts = time_to_reports_and_status(
                    api, name, len(agents), t, operator_log, present=step == "create", wall=wall)
                print(f"    node reports {'say' if step == 'create' else 'no longer say'}"
                      f" Installed on {len(reported)}/{len(agents)} nodes, seen by polling:"
                      f" {summary(reported.values(), 'ms', 1000)}")
                written = reports_written_after(agents, wall)
                print(f"    node report writes done (agents' logs), {len(written)} agents:"
                      f" {summary(written.values(), 'ms', 1000)}")
                if operator_log:
                    print("    operator's node facts last rebuilt after "
                          + (f"{t_facts:.2f} s" if t_facts is not None else "(none seen)"))
            if step != "delete":
                if step == "update":
                    _, t_status, _ = time_to_reports_and_status(api, name, len(agents), t)
                print(f"    status.nodes.installed={len(agents)} after "
                      + (f"{t_status:.1f} s" if t_status is not None else "(not reached)"))
                plane = control_plane_cpu()
                used = {k: plane[k] - cpu_plane0.get(k, plane[k]) for k in plane}
                print(f"    CPU meanwhile: agents {sum(a.cpu_seconds() for a in agents) - cpu_agents0:.1f} s"
                      f" in total, " + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(used.items())))
        wait(lambda: all(a.metric("csp_agent_status_in_sync") == 1 for a in agents), 120, 1)
        print(f"    status writes for the three changes: "
              f"{metric_sum(agents, 'csp_agent_status_writes_total') - writes0:.0f}, conflicts"
              f" retried: {metric_sum(agents, 'csp_agent_status_conflicts_total') - conflicts0:.0f}")
        _, size = report_results(api, "")
        print(f"    largest node report: {size} bytes as JSON")

        keep = agents[:args.install_fleet]
        for a in agents[args.install_fleet:]:
            a.stop()
        for a in agents[args.install_fleet:]:
            a.proc.wait()
        print(f"C. {args.profiles} profiles at once, {len(keep)} agents")
        cpu0 = {a.node: a.cpu_seconds() for a in keep}
        peak = {a.node: a.rss_kb() for a in keep}
        t = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: api.call("POST", PROFILES, seccomp_object(f"bench-{i:03d}")),
                          range(args.profiles)))
        t_created = time.monotonic() - t

        def all_files():
            for a in keep:
                peak[a.node] = max(peak[a.node], a.rss_kb())
            return all(os.path.exists(a.seccomp_file(f"bench-{args.profiles - 1:03d}")) and
                       len(os.listdir(os.path.dirname(a.seccomp_file("x")))) >= args.profiles + 1
                       for a in keep)
        wait(all_files, 300, 0.05)
        t_files = time.monotonic() - t
        wait(lambda: all(a.metric("csp_agent_status_in_sync") == 1 and
                         (a.metric("csp_agent_last_pass_seconds") is not None) for a in keep)
             and all(status_converged(f"bench-{i:03d}", len(keep))
                     for i in (0, args.profiles // 2, args.profiles - 1)), 600, 1)
        t_status = time.monotonic() - t
        busy = time.monotonic() - t
        cpu = [(a.cpu_seconds() - cpu0[a.node]) for a in keep]
        print(f"  {args.profiles} creates took {t_created:.2f} s; all {args.profiles} files on all"
              f" {len(keep)} agents {t_files:.2f} s after the first; statuses settled after"
              f" {t_status:.1f} s")
        print(f"  peak RSS while installing: {summary([v / 1024 for v in peak.values()], 'MiB')}")
        print(f"  CPU used per agent over those {busy:.1f} s: {summary(cpu, 's')}")
        rss, _, idle_cpu = sample_fleet(keep, args.idle_seconds)
        print(f"  afterwards, idle {args.idle_seconds} s: RSS {summary(rss, 'MiB')};"
              f" CPU {summary(idle_cpu, '%')}")
        print(f"  status writes: {metric_sum(keep, 'csp_agent_status_writes_total'):.0f},"
              f" conflicts retried: {metric_sum(keep, 'csp_agent_status_conflicts_total'):.0f}")
        _, size = report_results(api, "")
        print(f"  largest node report: {size} bytes as JSON")
        kubectl("delete", "securityprofiles", "--all", "--wait=false")
    finally:
        for a in agents:
            a.stop()
        if operator and operator.poll() is None:
            operator.send_signal(signal.SIGTERM)
            operator.wait(30)


if __name__ == "__main__":
    main()
