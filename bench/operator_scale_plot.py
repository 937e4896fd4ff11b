#!/usr/bin/env python3
"""The figures of bench/operator_scale_bench.sh, one row per size, and their plot.

  operator_scale_plot.py annotate FILE --size N --nodes K --pods-start-s S [--operator-commit C]
      adds the size's settings (and which operator was measured) to one JSON of
      `operator_bench.py measure`
  operator_scale_plot.py summarize FILE... --json OUT --png OUT
      one row of figures per size to OUT (JSON), and RSS and times against size to a PNG
      (gnuplot; skipped with a message when it is not installed)

Standard library only; prints figures, asserts nothing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def load(path):
    with open(path) as f:
        return json.load(f)


def cmd_annotate(args):
    r = load(args.file)
    r.update(size=args.size, nodes=args.nodes, pods_start_s=args.pods_start_s)
    if args.operator_commit:
        r["operator_commit"] = args.operator_commit
    with open(args.file, "w") as f:
        json.dump(r, f, indent=2, sort_keys=True)


def total(counts, suffix=None):
    return sum(v for k, v in counts.items() if suffix is None or k.endswith(suffix))


def row(r):
    """The figures the issue lists for one size; None for those of phases a run cut short did
    not reach."""
    figures = {}
    for key, figure in figures_of(r).items():
        try:
            figures[key] = figure()
        except (KeyError, TypeError, ZeroDivisionError):
            figures[key] = None
    return figures


def figures_of(r):
    w = r["workloads"]

    def peak_kb():
        return max(r["after_startup"]["VmHWM"], r.get("at_end", {}).get("VmHWM", 0))

    return {
        "size_pods": lambda: r["size"],
        "nodes": lambda: r["nodes"],
        "pods_running": lambda: r["pods_running"],
        "namespaces": lambda: r["namespaces"],
        "workloads": lambda: w,
        "workloads_by_kind": lambda: r["workloads_by_kind"],
        "pods_start_s": lambda: r["pods_start_s"],
        "ready_s": lambda: round(r["ready_s"], 2),
        "all_reports_s": lambda: round(r["all_reports_s"], 2),
        "all_labels_s": lambda: round(r["all_labels_s"], 2),
        "rss_peak_mib": lambda: round(peak_kb() / 1024, 1),
        "rss_settled_mib": lambda: round(r["settled"]["VmRSS"] / 1024, 1),
        "rss_peak_kib_per_workload": lambda: round(peak_kb() / w, 2),
        "cpu_startup_s": lambda: r["after_startup"]["cpu_s"],
        "cpu_total_s": lambda: r["at_end"]["cpu_s"],
        "startup_requests": lambda: r["startup_requests"],
        "total_requests": lambda: r["total_requests"],
        "rules_per_workload": lambda: r["rules_per_workload"],
        "etcd_report_bytes_per_workload": lambda: round(r["etcd_report_bytes"] / w),
        "report_json_bytes_per_workload": lambda: round(r["report_json_bytes"] / w),
        "report_largest_bytes": lambda: r["report_largest_bytes"],
        "operator_429s": lambda: total(r["total_requests"], " 429"),
        "apiserver_rejections": lambda: r["apiserver_rejections"],
        "steady_seconds": lambda: r["steady_seconds"],
        "steady_writes_apiserver": lambda: total(
            r["steady_apiserver_writes_operator_resources"]),
        "steady_writes_operator": lambda: (r["steady_operator_report_writes"]
                                           + r["steady_operator_workload_patches"]),
        "churn": lambda: r["churn"],
        "latency_label_p50_ms": lambda: round(r["latency_label_p50"] * 1e3),
        "latency_label_p99_ms": lambda: round(r["latency_label_p99"] * 1e3),
        "latency_report_p50_ms": lambda: round(r["latency_report_p50"] * 1e3),
        "latency_report_p99_ms": lambda: round(r["latency_report_p99"] * 1e3),
        "restart_ready_s": lambda: round(r["restart_ready_s"], 2),
        "restart_idle_s": lambda: round(r["restart_idle_s"], 2),
        "restart_writes": lambda: r["restart_report_writes"] + r["restart_workload_patches"],
        "restart_rss_peak_mib": lambda: round(r["restart_status"]["VmHWM"] / 1024, 1),
        "load_average_before": lambda: r["load_average_before"],
        "load_average_after": lambda: r["load_average_after"],
        "operator_flags": lambda: r["operator_flags"],
        "operator_commit": lambda: r["operator_commit"],
    }


GNUPLOT = """
set terminal png size 1100,450 font ",10" noenhanced
set output '%(png)s'
set multiplot layout 1,2 title "csp-operator against cluster size (bench/operator_scale_bench.sh)"
set key top left
set grid
set xlabel "workloads in the cluster (5 Pods each, about)"
set format x "%%.0f"
set xrange [0:*]
set ylabel "MiB"
set yrange [0:*]
set title "operator RSS"
plot '%(data)s' using 1:2 with linespoints title "peak", \\
     '' using 1:3 with linespoints title "settled", \\
     '' using 1:7 with linespoints title "peak on restart"
set ylabel "seconds after start"
set title "start-up"
plot '%(data)s' using 1:4 with linespoints title "all reports", \\
     '' using 1:5 with linespoints title "all labels", \\
     '' using 1:6 with linespoints title "caches synced (/readyz)"
unset multiplot
"""


def plot(rows, png):
    if not shutil.which("gnuplot"):
        print("operator_scale_plot: no gnuplot (hack/install-deps.sh --bench-extras); no plot",
              file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "scale.dat")
        with open(data, "w") as f:
            for r in rows:
                values = [r[k] for k in ("workloads", "rss_peak_mib", "rss_settled_mib",
                                         "all_reports_s", "all_labels_s", "ready_s",
                                         "restart_rss_peak_mib")]
                f.write(" ".join("NaN" if v is None else str(v) for v in values) + "\n")
        script = os.path.join(tmp, "scale.gp")
        with open(script, "w") as f:
            f.write(GNUPLOT % {"png": png, "data": data})
        subprocess.run(["gnuplot", script], check=True)
    print("plot: %s" % png)


def cmd_summarize(args):
    rows = sorted((row(load(p)) for p in args.files), key=lambda r: r["size_pods"])
    with open(args.json, "w") as f:
        json.dump({"command": "bench/operator_scale_bench.sh", "sizes": rows}, f, indent=2,
                  sort_keys=True)
        f.write("\n")
    print("figures: %s" % args.json)
    for r in rows:
        print("  %s" % json.dumps({k: r[k] for k in (
            "size_pods", "pods_running", "workloads", "all_reports_s", "all_labels_s",
            "rss_peak_mib", "rss_settled_mib", "etcd_report_bytes_per_workload",
            "load_average_before")}))
    plot(rows, args.png)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("annotate")
    a.add_argument("file")
    a.add_argument("--size", type=int, required=True)
    a.add_argument("--nodes", type=int, required=True)
    a.add_argument("--pods-start-s", type=int, required=True)
    a.add_argument("--operator-commit", default="", help="the commit the operator was built at")
    s = sub.add_parser("summarize")
    s.add_argument("files", nargs="+")
    s.add_argument("--json", required=True)
    s.add_argument("--png", required=True)
    args = parser.parse_args()
    cmd_annotate(args) if args.command == "annotate" else cmd_summarize(args)


if __name__ == "__main__":
    main()
