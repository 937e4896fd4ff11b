#include "csp/manager/manager.h"

#include <malloc.h>

#include "csp/log/log.h"
#include "csp/manager/event_handlers.h"
#include "csp/manager/metrics.h"
#include "csp/manager/queue_keys.h"
#include "csp/manager/routes.h"

namespace csp::manager {

Manager::Manager(const Options& options, kube::Client& client, kube::Client& lease_client)
    : options_(options),
      client_(client),
      lease_client_(lease_client),
      caches_(
          client,
          [](std::string_view resource, const Error& e) {
            LogWarn("list/watch failed; retrying", {{"resource", resource}, {"error", e.message}});
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
      dispatcher_(*queue_, Actions(), metrics_) {
  RegisterEventHandlers(caches_, {.queue = *queue_,
                                  .policies_changed =
                                      [this] {
                                        RebuildPolicies();
                                        EnqueueAllNamespaces();
                                      },
                                  .written_workloads = written_workloads_,
                                  .written_reports = written_reports_});
}

Manager::~Manager() { Shutdown(); }

KeyActions Manager::Actions() {
  return {.reconcile_namespace =
              [this](const std::string& ns, bool remediate) {
                return ReconcileNamespace(context_, ns, remediate);
              },
          .reconcile_policy =
              [this](const std::string& name, const std::vector<std::string>& failed) {
                return ReconcilePolicy(context_, name, failed);
              },
          .requeue_policies = [this] { EnqueuePolicies(); },
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
              }};
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
  for (const std::string& ns : caches_.namespaces.Keys()) queue_->Add(NamespaceKey(ns));
}

void Manager::EnqueuePolicies() {
  for (const std::string& name : caches_.policies.Keys()) {
    queue_->AddAfter(PolicyKey(name), kPolicyDelay);
  }
}

void Manager::EnqueueEverything() {
  EnqueueAllNamespaces();
  EnqueuePolicies();
}

Status Manager::Start() {
  caches_.Start(stop_.get_token());
  if (!options_.leader_elect) {
    leading_ = true;
    StartWorkers();
    return {};
  }
  return election_.Start(
      lease_client_, options_,
      [this] {
        leading_ = true;
        StartWorkers();
      },
      [this] {
        leading_ = false;
        if (shut_down_.load()) return;
        LogError("lost leadership; exiting", {{"identity", options_.identity}});
        lost_leadership_ = true;
        if (on_lost_) on_lost_();
      });
}

void Manager::StartWorkers() {
  workers_.Start(
      *queue_, options_.workers, [this] { return PrepareTerm(); },
      [this](const std::string& key) {
        if (leading_.load()) dispatcher_.Process(key);  // never write without the Lease
      });
}

bool Manager::PrepareTerm() {
  if (!caches_.WaitForSync(stop_.get_token())) return false;
  // The initial LISTs' pages are gone; give their memory back to the system.
  malloc_trim(0);
  dispatcher_.ExpectNamespaces(caches_.namespaces.Keys());
  RebuildPolicies();
  RebuildNodeFacts();
  EnqueueEverything();
  LogInfo("caches synced; reconciling", {{"namespaces", std::to_string(caches_.namespaces.Size())},
                                         {"policies", std::to_string(caches_.policies.Size())}});
  return true;
}

void Manager::Shutdown() {
  if (shut_down_.exchange(true)) return;
  // Caches stop first (a worker still waiting for them gives up), then the workers finish the
  // keys they hold, and only then is the Lease released: no write after the release.
  stop_.request_stop();
  workers_.Stop(*queue_);
  election_.Stop();
  caches_.Join();
}

serve::Routes Manager::Routes() {
  return HealthAndMetricsRoutes([this] { return Ready(); }, [this] { return MetricsText(); });
}

std::string Manager::MetricsText() const {
  return RenderMetrics({.reconcile = metrics_,
                        .queue = *queue_,
                        .caches = caches_,
                        .client = client_,
                        .lease_client = lease_client_,
                        .tallies = tallies_,
                        .leading = leading_.load()});
}

}  // namespace csp::manager
