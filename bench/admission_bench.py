#!/usr/bin/env python3
"""The JSON side of bench/admission_bench.sh (docs/benchmarks.md, "Admission"; issue 12).

  admission_bench.py proc  --pid P                 one line of JSON: {"rss_kb", "cpu_s"} of P
  admission_bench.py quiet --pid P [--pid Q ...] [--below 0.15] [--timeout 90]
      waits until the processes together use less than `below` of a core over 2 s (the
      operator and the apiserver still working off the last run would slow the next one)
  admission_bench.py table --results FILE
      the summary table of the JSON lines that admission_bench.sh collected; exit status 1 when
      a run saw errors (or refusals of the compliant Pods), else 0

Each line of the results file is {"case": ..., "result": <admission_load's JSON line>, ...}:
case "baseline" | "webhook" | "vap" (Pod creates; "vap" may carry "skipped": reason), or
"endpoint" (the webhook alone, with "before" and "after" {"rss_kb", "cpu_s"} of the operator).
"""

import argparse
import json
import os
import sys
import time

CASES = [("baseline", "no webhook"), ("webhook", "ours: Deny webhook"), ("vap", "ours: VAP")]


def proc_sample(pid):
    with open("/proc/%d/status" % pid) as f:
        rss_kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    # Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    cpu_s = (int(fields[11]) + int(fields[12])) / ticks
    return {"rss_kb": rss_kb, "cpu_s": cpu_s}


def cmd_proc(args):
    print(json.dumps(proc_sample(args.pid)))


def cmd_quiet(args):
    deadline = time.monotonic() + args.timeout
    while True:
        before = sum(proc_sample(p)["cpu_s"] for p in args.pid)
        time.sleep(2)
        used = (sum(proc_sample(p)["cpu_s"] for p in args.pid) - before) / 2
        if used < args.below:
            return 0
        if time.monotonic() > deadline:
            print("admission_bench: still %.2f cores busy after %d s; measuring anyway"
                  % (used, args.timeout), file=sys.stderr)
            return 0


def fmt(value, digits=1):
    return "-" if value is None else "%.*f" % (digits, value)


def creates_table(rows):
    suspect = False
    widths = sorted({r["result"]["clients"] for r in rows if "result" in r} |
                    {r["clients"] for r in rows if "clients" in r})
    print("Pod creates (each client one TLS keep-alive connection, its creates one after another)")
    print("%8s  %-20s %8s %8s %8s %8s %9s %7s %7s %7s" % (
        "clients", "admission", "p50 ms", "p90 ms", "p99 ms", "max ms", "creates/s", "ok",
        "refused", "errors"))
    p99 = {}
    for clients in widths:
        for case, label in CASES:
            found = [r for r in rows if r["case"] == case and
                     r.get("clients", r.get("result", {}).get("clients")) == clients]
            for r in found:
                if "skipped" in r:
                    print("%8d  %-20s skipped: %s" % (clients, label, r["skipped"]))
                    continue
                x = r["result"]
                p99[(case, clients)] = (x["p99_ms"], x["per_second"])
                suspect |= x["errors"] > 0 or x["refused"] > 0
                print("%8d  %-20s %8.1f %8.1f %8.1f %8.1f %9.0f %7d %7d %7d" % (
                    clients, label, x["p50_ms"], x["p90_ms"], x["p99_ms"], x["max_ms"],
                    x["per_second"], x["ok"], x["refused"], x["errors"]))
                if x.get("error_kinds"):
                    print("%8s  errors by kind: %s" % ("", json.dumps(x["error_kinds"])))
    for clients in widths:
        base = p99.get(("baseline", clients))
        for case, label in CASES[1:]:
            if (case, clients) in p99 and base:
                ours = p99[(case, clients)]
                print("  %s adds %+.1f ms at p99 with %d clients (creates/s %.0f vs %.0f)" % (
                    label, ours[0] - base[0], clients, ours[1], base[1]))
    return suspect


def endpoint_table(rows):
    suspect = False
    print()
    print("The webhook endpoint alone (AdmissionReviews over TLS keep-alive, one connection per "
          "thread)")
    print("%8s %10s %8s %8s %8s %7s %7s %13s %16s %12s %12s" % (
        "threads", "reviews/s", "p50 ms", "p99 ms", "max ms", "errors", "denied",
        "operator CPU", "reviews/CPU-s", "RSS before", "RSS after"))
    for r in rows:
        x, before, after = r["result"], r["before"], r["after"]
        cpu = after["cpu_s"] - before["cpu_s"]
        suspect |= x["errors"] > 0
        print("%8d %10.0f %8.3f %8.3f %8.3f %7d %7d %12.1fs %16s %10.1fMB %10.1fMB" % (
            x["threads"], x["per_second"], x["p50_ms"], x["p99_ms"], x["max_ms"], x["errors"],
            x.get("denied", 0), cpu, fmt(x["requests"] / cpu if cpu > 0 else None, 0),
            before["rss_kb"] / 1024, after["rss_kb"] / 1024))
        if x.get("error_kinds"):
            print("%8s errors by kind: %s" % ("", json.dumps(x["error_kinds"])))
    return suspect


def cmd_table(args):
    with open(args.results) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    creates = [r for r in rows if r["case"] != "endpoint"]
    endpoint = [r for r in rows if r["case"] == "endpoint"]
    suspect = creates_table(creates) if creates else False
    if endpoint:
        suspect |= endpoint_table(endpoint)
    return 1 if suspect else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    proc = sub.add_parser("proc")
    proc.add_argument("--pid", type=int, required=True)
    quiet = sub.add_parser("quiet")
    quiet.add_argument("--pid", type=int, action="append", required=True)
    quiet.add_argument("--below", type=float, default=0.15)
    quiet.add_argument("--timeout", type=float, default=90)
    table = sub.add_parser("table")
    table.add_argument("--results", required=True)
    args = parser.parse_args()
    handler = {"proc": cmd_proc, "quiet": cmd_quiet, "table": cmd_table}[args.command]
    sys.exit(handler(args) or 0)


if __name__ == "__main__":
    main()
