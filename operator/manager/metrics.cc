#include "csp/manager/metrics.h"

#include <map>

#include "csp/serve/metrics_text.h"

namespace csp::manager {

std::string RenderMetrics(const MetricsSources& in) {
  serve::MetricsText out;
  out.Family("csp_reconcile_total", "counter", "Reconciles by result.");
  out.Sample("csp_reconcile_total", {{"result", "success"}},
             static_cast<double>(in.reconcile.success.load()));
  out.Sample("csp_reconcile_total", {{"result", "error"}},
             static_cast<double>(in.reconcile.error.load()));
  out.Family("csp_reconcile_duration_seconds", "histogram", "Time per reconcile.");
  in.reconcile.seconds.Render(out, "csp_reconcile_duration_seconds");
  out.Family("csp_workqueue_queue_duration_seconds", "histogram",
             "Time a key waited in the work queue before a worker took it.");
  in.reconcile.queued_seconds.Render(out, "csp_workqueue_queue_duration_seconds");
  out.Family("csp_workqueue_depth", "gauge", "Keys ready in the work queue.");
  out.Sample("csp_workqueue_depth", {}, static_cast<double>(in.queue.Len()));
  out.Family("csp_workqueue_delayed", "gauge", "Keys waiting for a delay or retry.");
  out.Sample("csp_workqueue_delayed", {}, static_cast<double>(in.queue.NumDelayed()));
  out.Family("csp_workload_patches_total", "counter", "Remediation patches sent to workloads.");
  out.Sample("csp_workload_patches_total", {},
             static_cast<double>(in.reconcile.workload_patches.load()));
  if (in.remediation_guard != nullptr) {
    out.Family("csp_remediation_reverts_total", "counter",
               "Remediations stopped because another field manager put them back again.");
    out.Sample("csp_remediation_reverts_total", {},
               static_cast<double>(in.remediation_guard->stops()));
    out.Family("csp_remediation_patches_throttled_total", "counter",
               "Remediation patches not sent: the workload's hourly patch budget was spent.");
    out.Sample("csp_remediation_patches_throttled_total", {},
               static_cast<double>(in.remediation_guard->throttled()));
  }
  if (in.events != nullptr) {
    out.Family("csp_events_total", "counter",
               "Events on workloads by result: sent, failed, or dropped (queue full).");
    out.Sample("csp_events_total", {{"result", "sent"}},
               static_cast<double>(in.events->recorder.sent()));
    out.Sample("csp_events_total", {{"result", "failed"}},
               static_cast<double>(in.events->recorder.failed()));
    out.Sample("csp_events_total", {{"result", "dropped"}},
               static_cast<double>(in.events->recorder.dropped()));
  }
  out.Family("csp_report_writes_total", "counter", "PolicyReport creates, updates and deletes.");
  out.Sample("csp_report_writes_total", {}, static_cast<double>(in.reconcile.report_writes.load()));
  out.Family("csp_leader", "gauge", "1 while this replica holds the Lease and reconciles.");
  out.Sample("csp_leader", {}, in.leading ? 1 : 0);
  out.Family("csp_ready", "gauge", "1 once every informer cache has synced.");
  out.Sample("csp_ready", {}, in.caches.Synced() ? 1 : 0);

  auto stats = in.caches.Stats();
  if (in.custom_kinds != nullptr) {
    for (const CustomKind& k : in.custom_kinds->Current()->kinds) {
      stats.push_back({k.ref.Name(), k.informer->Stats(), k.informer->Size()});
    }
  }
  auto per_resource = [&](std::string_view name, std::string_view type, std::string_view help,
                          auto value) {
    out.Family(name, type, help);
    for (const auto& s : stats) {
      out.Sample(name, {{"resource", s.resource}}, static_cast<double>(value(s)));
    }
  };
  per_resource("csp_cache_objects", "gauge", "Objects in each informer cache.",
               [](const Caches::ResourceStats& s) { return s.objects; });
  per_resource("csp_watch_restarts_total", "counter", "WATCH requests after the first.",
               [](const Caches::ResourceStats& s) { return s.stats.watch_restarts; });
  per_resource("csp_relists_total", "counter", "LISTs after the first (after 410 Gone).",
               [](const Caches::ResourceStats& s) { return s.stats.relists; });
  per_resource("csp_watch_events_total", "counter", "Watch events received.",
               [](const Caches::ResourceStats& s) { return s.stats.events; });
  per_resource("csp_list_watch_errors_total", "counter", "Failed LISTs and WATCHes.",
               [](const Caches::ResourceStats& s) { return s.stats.errors; });

  out.Family("csp_api_requests_total", "counter",
             "Kubernetes API requests by verb and HTTP code (0: no response), retries included.");
  std::map<std::pair<std::string, int>, std::uint64_t> requests = in.client.metrics().Snapshot();
  for (const auto& [key, count] : in.lease_client.metrics().Snapshot()) requests[key] += count;
  if (in.events != nullptr) {
    for (const auto& [key, count] : in.events->client.metrics().Snapshot()) {
      requests[key] += count;
    }
  }
  for (const auto& [key, count] : requests) {
    out.Sample("csp_api_requests_total",
               {{"verb", key.first}, {"code", std::to_string(key.second)}},
               static_cast<double>(count));
  }

  const Tallies totals = in.tallies.Totals();
  out.Family("csp_policy_workloads", "gauge", "Workloads each policy matched, by state.");
  for (const auto& [policy, t] : totals) {
    out.Sample("csp_policy_workloads", {{"policy", policy}, {"state", "passing"}},
               static_cast<double>(t.passing));
    out.Sample("csp_policy_workloads", {{"policy", policy}, {"state", "failing"}},
               static_cast<double>(t.failing));
    out.Sample("csp_policy_workloads", {{"policy", policy}, {"state", "exempted"}},
               static_cast<double>(t.exempted));
  }
  out.Family("csp_workload_results", "gauge", "Workloads by policy, rule and result.");
  for (const auto& [policy, t] : totals) {
    for (const auto& [key, count] : t.rule_results) {
      out.Sample("csp_workload_results",
                 {{"policy", policy}, {"rule", key.first}, {"result", key.second}},
                 static_cast<double>(count));
    }
  }
  if (in.admission != nullptr) in.admission->RenderMetrics(out);
  return out.Take();
}

}  // namespace csp::manager
