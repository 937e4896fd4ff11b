#include "csp/manager/manager.h"

#include <malloc.h>

#include "csp/log/log.h"
#include "csp/manager/queue_keys.h"
#include "csp/manager/resources.h"
#include "csp/serve/metrics_text.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

std::string NamespaceOf(const std::string& key) {
  auto slash = key.find('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash);
}

std::int64_t GenerationOf(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return 0;
  auto g = meta->find("generation");
  return g != meta->end() && g->is_number_integer() ? g->get<std::int64_t>() : 0;
}

std::string ErrorText(const Error& e) { return e.message; }

}  // namespace

Manager::Manager(const Options& options, kube::Client& client, kube::Client& lease_client)
    : options_(options),
      client_(client),
      lease_client_(lease_client),
      caches_(client,
              [](std::string_view resource, const Error& e) {
                LogWarn("list/watch failed; retrying",
                        {{"resource", resource}, {"error", ErrorText(e)}});
              }),
      events_(client, options.identity),
      context_{.client = client,
               .caches = caches_,
               .policies = policies_,
               .node_facts = node_facts_,
               .tallies = tallies_,
               .events = events_,
               .written_workloads = written_workloads_,
               .written_reports = written_reports_,
               .now = [] { return std::chrono::system_clock::now(); }},
      queue_(std::make_unique<kube::WorkQueue>()),
      dispatcher_(*queue_,
                  {.reconcile_namespace =
                       [this](const std::string& ns, bool remediate) {
                         return ReconcileNamespace(context_, ns, remediate);
                       },
                   .reconcile_policy =
                       [this](const std::string& name, const std::vector<std::string>& failed) {
                         return ReconcilePolicy(context_, name, failed);
                       },
                   .requeue_policies =
                       [this] {
                         for (const std::string& name : caches_.policies.Keys()) {
                           queue_->AddAfter(PolicyKey(name), kPolicyDelay);
                         }
                       },
                   .nodes =
                       [this] {
                         if (RebuildNodeFacts()) {
                           LogInfo("node profiles changed; evaluating every namespace again");
                           EnqueueAllNamespaces();
                         }
                       },
                   .expiry =
                       [this] {
                         if (expiry_.Expired(std::chrono::system_clock::now())) {
                           LogInfo("an exemption expired; evaluating everything again");
                           EnqueueEverything();
                         }
                         ScheduleExpiry();
                       }},
                  metrics_) {
  RegisterHandlers();
}

Manager::~Manager() { Shutdown(); }

void Manager::RegisterHandlers() {
  auto enqueue_ns = [this](const std::string& ns) { queue_->Add(NamespaceKey(ns)); };
  caches_.policies.AddHandlers({
      .on_add =
          [this](const std::string& key, const json&) {
            RebuildPolicies();
            EnqueueAllNamespaces();
            queue_->AddAfter(PolicyKey(key), kPolicyDelay);
          },
      .on_update =
          [this](const std::string& key, const json& old_value, const json& new_value) {
            // A spec change bumps the generation; a status write (ours) does not, and needs
            // only the status checked again.
            if (GenerationOf(old_value) != GenerationOf(new_value)) {
              RebuildPolicies();
              EnqueueAllNamespaces();
            }
            queue_->AddAfter(PolicyKey(key), kPolicyDelay);
          },
      .on_delete =
          [this](const std::string&, const json&) {
            RebuildPolicies();
            EnqueueAllNamespaces();  // its reports go
          },
  });
  caches_.namespaces.AddHandlers({
      .on_add = [enqueue_ns](const std::string& key, const policy::Labels&) { enqueue_ns(key); },
      .on_update =
          [enqueue_ns](const std::string& key, const policy::Labels& a, const policy::Labels& b) {
            if (a != b) enqueue_ns(key);
          },
      .on_delete = [enqueue_ns](const std::string& key, const policy::Labels&) { enqueue_ns(key); },
  });
  // Objects owned by another workload are reported on their owner, whose own events bring its
  // namespace back; only a change of ownership matters for them.
  const auto kinds = WorkloadResources();
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const std::string kind(kinds[i].kind);
    caches_.workloads[i]->AddHandlers({
        .on_add =
            [enqueue_ns](const std::string& key, const CachedWorkload& value) {
              if (!value.owned) enqueue_ns(NamespaceOf(key));
            },
        .on_update =
            [enqueue_ns](const std::string& key, const CachedWorkload& old_value,
                         const CachedWorkload& new_value) {
              if (old_value == new_value) return;
              if (old_value.owned && new_value.owned) return;
              enqueue_ns(NamespaceOf(key));
            },
        .on_delete =
            [this, enqueue_ns, kind](const std::string& key, const CachedWorkload& value) {
              written_workloads_.Forget(kind + "/" + key);
              if (!value.owned) enqueue_ns(NamespaceOf(key));
            },
    });
  }
  // The node-aware rules' inputs: any change (the handlers compare compact values) rebuilds.
  auto nodes_changed = [this] { queue_->AddAfter(std::string(kNodesKey), kNodesDelay); };
  for (auto* informer : {&caches_.nodes, &caches_.security_profiles, &caches_.node_reports}) {
    informer->AddHandlers({
        .on_add = [nodes_changed](const std::string&, const json&) { nodes_changed(); },
        .on_update =
            [nodes_changed](const std::string&, const json& a, const json& b) {
              if (a != b) nodes_changed();
            },
        .on_delete = [nodes_changed](const std::string&, const json&) { nodes_changed(); },
    });
  }
  // Ours (or one holding a name of ours): someone else's edit or delete is put right.
  auto ours = [](const std::string& key, const CachedReport& report) {
    const std::string name = key.substr(key.find('/') + 1);
    return report.summary.managed || name.starts_with("csp-");
  };
  caches_.reports.AddHandlers({
      .on_add =
          [enqueue_ns, ours](const std::string& key, const CachedReport& r) {
            if (ours(key, r)) enqueue_ns(NamespaceOf(key));
          },
      .on_update =
          [enqueue_ns, ours](const std::string& key, const CachedReport& a, const CachedReport& b) {
            if ((ours(key, a) || ours(key, b)) && a.summary.digest != b.summary.digest) {
              enqueue_ns(NamespaceOf(key));
            } else if (ours(key, a) != ours(key, b)) {
              enqueue_ns(NamespaceOf(key));
            }
          },
      .on_delete =
          [this, enqueue_ns, ours](const std::string& key, const CachedReport& r) {
            written_reports_.Forget(key);
            if (ours(key, r)) enqueue_ns(NamespaceOf(key));
          },
  });
}

void Manager::RebuildPolicies() {
  const auto objects = caches_.policies.List();
  policies_.Replace(std::make_shared<const PolicySet>(BuildPolicySet(objects)));
  ScheduleExpiry();
}

bool Manager::RebuildNodeFacts() { return node_facts_.Replace(BuildNodeFacts(caches_)); }

void Manager::ScheduleExpiry() {
  const auto delay = expiry_.Arm(*policies_.Current(), std::chrono::system_clock::now());
  if (delay) queue_->AddAfter(std::string(kExpiryKey), *delay);
}

void Manager::EnqueueAllNamespaces() {
  for (const std::string& ns : caches_.namespaces.Keys()) {
    queue_->Add(NamespaceKey(ns));
  }
}

void Manager::EnqueueEverything() {
  EnqueueAllNamespaces();
  for (const std::string& name : caches_.policies.Keys()) {
    queue_->AddAfter(PolicyKey(name), kPolicyDelay);
  }
}

Status Manager::Start() {
  caches_.Start(stop_.get_token());
  if (!options_.leader_elect) {
    leading_ = true;
    StartWorkers();
    return {};
  }
  kube::LeaderElectionConfig config{
      .lease_namespace = options_.lease_namespace,
      .lease_name = options_.lease_name,
      .identity = options_.identity,
      .lease_duration = std::chrono::seconds(options_.lease_duration),
      .renew_deadline = std::chrono::seconds(options_.renew_deadline),
      .retry_period = std::chrono::seconds(options_.retry_period),
  };
  config.on_started_leading = [this] {
    LogInfo("started leading", {{"identity", options_.identity}});
    leading_ = true;
    StartWorkers();
  };
  config.on_stopped_leading = [this] {
    leading_ = false;
    if (shut_down_.load()) return;
    LogError("lost leadership; exiting", {{"identity", options_.identity}});
    lost_leadership_ = true;
    if (on_lost_) on_lost_();
  };
  config.on_new_leader = [this](const std::string& identity) {
    LogInfo("leader is", {{"identity", identity}, {"self", options_.identity}});
  };
  config.on_error = [](const Error& e) {
    LogWarn("leader election: lease request failed", {{"error", e.message}});
  };
  auto elector = kube::LeaderElector::Create(lease_client_, std::move(config));
  if (!elector) return elector.error();
  elector_ = std::move(*elector);
  election_thread_ = std::jthread([this] { elector_->Run(election_stop_.get_token()); });
  return {};
}

void Manager::StartWorkers() {
  std::lock_guard lock(workers_mu_);
  // The first worker waits for the caches, queues everything, then the others start: a
  // reconcile on a half-filled cache would delete results of workloads not listed yet.
  workers_.emplace_back([this] {
    if (!caches_.WaitForSync(stop_.get_token())) return;
    // The initial LISTs' pages are gone; give their memory back to the system.
    malloc_trim(0);
    dispatcher_.ExpectNamespaces(caches_.namespaces.Keys());
    RebuildPolicies();
    RebuildNodeFacts();
    EnqueueEverything();
    LogInfo("caches synced; reconciling",
            {{"namespaces", std::to_string(caches_.namespaces.Size())},
             {"policies", std::to_string(caches_.policies.Size())}});
    {
      std::lock_guard lock(workers_mu_);
      // After StopWorkers took the list, new threads would never be joined.
      if (!queue_->ShuttingDown()) {
        for (int i = 1; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
      }
    }
    Work();
  });
}

void Manager::StopWorkers() {
  queue_->ShutDownWithDrain();
  std::vector<std::jthread> workers;
  {
    std::lock_guard lock(workers_mu_);
    workers.swap(workers_);
  }
  workers.clear();  // joins
}

void Manager::Work() {
  while (auto key = queue_->Get()) {
    if (leading_.load()) dispatcher_.Process(*key);  // never write without the Lease
    queue_->Done(*key);
  }
}

void Manager::Shutdown() {
  if (shut_down_.exchange(true)) return;
  // Caches stop first (a worker still waiting for them gives up), then the workers finish the
  // keys they hold, and only then is the Lease released: no write after the release.
  stop_.request_stop();
  StopWorkers();
  election_stop_.request_stop();
  if (election_thread_.joinable()) election_thread_.join();
  caches_.Join();
}

serve::Routes Manager::Routes() {
  serve::Routes routes;
  routes["/healthz"] = [] { return serve::Response{.body = "ok\n"}; };
  routes["/readyz"] = [this] {
    if (Ready()) return serve::Response{.body = "ok\n"};
    return serve::Response{.status = 503, .body = "informer caches not synced\n"};
  };
  routes["/metrics"] = [this] {
    return serve::Response{.content_type = std::string(serve::kContentType), .body = MetricsText()};
  };
  return routes;
}

std::string Manager::MetricsText() const {
  serve::MetricsText out;
  out.Family("csp_reconcile_total", "counter", "Reconciles by result.");
  out.Sample("csp_reconcile_total", {{"result", "success"}},
             static_cast<double>(metrics_.success.load()));
  out.Sample("csp_reconcile_total", {{"result", "error"}},
             static_cast<double>(metrics_.error.load()));
  out.Family("csp_reconcile_duration_seconds", "histogram", "Time per reconcile.");
  metrics_.seconds.Render(out, "csp_reconcile_duration_seconds");
  out.Family("csp_workqueue_depth", "gauge", "Keys ready in the work queue.");
  out.Sample("csp_workqueue_depth", {}, static_cast<double>(queue_->Len()));
  out.Family("csp_workqueue_delayed", "gauge", "Keys waiting for a delay or retry.");
  out.Sample("csp_workqueue_delayed", {}, static_cast<double>(queue_->NumDelayed()));
  out.Family("csp_workload_patches_total", "counter", "Remediation patches sent to workloads.");
  out.Sample("csp_workload_patches_total", {},
             static_cast<double>(metrics_.workload_patches.load()));
  out.Family("csp_report_writes_total", "counter", "PolicyReport creates, updates and deletes.");
  out.Sample("csp_report_writes_total", {}, static_cast<double>(metrics_.report_writes.load()));
  out.Family("csp_leader", "gauge", "1 while this replica holds the Lease and reconciles.");
  out.Sample("csp_leader", {}, leading_.load() ? 1 : 0);
  out.Family("csp_ready", "gauge", "1 once every informer cache has synced.");
  out.Sample("csp_ready", {}, caches_.Synced() ? 1 : 0);

  const auto stats = caches_.Stats();
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
  std::map<std::pair<std::string, int>, std::uint64_t> requests = client_.metrics().Snapshot();
  for (const auto& [key, count] : lease_client_.metrics().Snapshot()) requests[key] += count;
  for (const auto& [key, count] : requests) {
    out.Sample("csp_api_requests_total",
               {{"verb", key.first}, {"code", std::to_string(key.second)}},
               static_cast<double>(count));
  }

  const Tallies totals = tallies_.Totals();
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
  return out.Take();
}

}  // namespace csp::manager
