// Manager: wires the caches, the work queue, the reconcilers, leader election and the
// health/metrics endpoints into the running operator.
//
// Keys of the work queue:
//   "ns/<namespace>"   ReconcileNamespace; queued by any change to a workload, namespace or
//                      report in it, and for every namespace when a policy changes;
//   "policy/<name>"    ReconcilePolicy; queued when a namespace's tally for it changes;
//   "expiry"           the next exemption expiry: every namespace and policy again;
//   "nodes"            a Node, SecurityProfile or the agents' node report changed: the node
//                      facts are rebuilt and, if they differ, every namespace evaluated again.
// Only the leader runs workers; a replica that is not leading keeps its caches warm so that it
// can take over at once.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "csp/kube/client.h"
#include "csp/kube/leader_election.h"
#include "csp/kube/work_queue.h"
#include "csp/manager/caches.h"
#include "csp/manager/event_recorder.h"
#include "csp/manager/expiry_schedule.h"
#include "csp/manager/key_dispatch.h"
#include "csp/manager/options.h"
#include "csp/manager/policy_set.h"
#include "csp/manager/reconcilers.h"
#include "csp/manager/tally_store.h"
#include "csp/serve/histogram.h"
#include "csp/serve/http_server.h"

namespace csp::manager {

class Manager {
 public:
  // `client` does the operator's work; `lease_client` (few retries) only the Lease.
  Manager(const Options& options, kube::Client& client, kube::Client& lease_client);
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Starts the caches and the election (or, without election, the workers). Returns at once.
  Status Start();
  // Drains the workers, releases the Lease, stops the caches. Idempotent.
  void Shutdown();
  // True once leadership was lost without Shutdown: the process should exit non-zero.
  bool LostLeadership() const { return lost_leadership_.load(); }
  // Called (from the election's thread) when leadership is lost; defaults to nothing.
  void OnLostLeadership(std::function<void()> callback) { on_lost_ = std::move(callback); }

  serve::Routes Routes();
  std::string MetricsText() const;
  bool Ready() const { return caches_.Synced(); }
  bool Leading() const { return leading_.load(); }

 private:
  void RegisterHandlers();
  void EnqueueAllNamespaces();
  void EnqueueEverything();
  void RebuildPolicies();
  // Rebuilds the node facts; true when they changed.
  bool RebuildNodeFacts();
  void ScheduleExpiry();
  void StartWorkers();
  void StopWorkers();
  void Work();

  const Options options_;
  kube::Client& client_;
  kube::Client& lease_client_;
  std::stop_source stop_;
  Caches caches_;
  PolicySetHolder policies_;
  ExpirySchedule expiry_;
  NodeFactsHolder node_facts_;
  TallyStore tallies_;
  EventRecorder events_;
  WriteOverlay<CachedWorkload> written_workloads_;
  WriteOverlay<CachedReport> written_reports_;
  ReconcileContext context_;
  std::unique_ptr<kube::WorkQueue> queue_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::jthread election_thread_;
  std::stop_source election_stop_;
  std::function<void()> on_lost_;

  std::mutex workers_mu_;
  std::vector<std::jthread> workers_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> lost_leadership_{false};
  std::atomic<bool> shut_down_{false};

  ReconcileMetrics metrics_;
  KeyDispatcher dispatcher_;
};

}  // namespace csp::manager
