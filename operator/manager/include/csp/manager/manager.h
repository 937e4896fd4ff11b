// Manager: wires the caches, the work queue, the reconcilers, leader election and the
// health/metrics endpoints into the running operator, and runs their lifecycle (start,
// leadership, shutdown). Each part is in a file of its own:
//
//   event_handlers.h   informer events -> queue keys (queue_keys.h)
//   key_dispatch.h     a key -> the reconciler it stands for, retries
//   expiry_schedule.h  when the "expiry" key runs
//   worker_pool.h      the worker threads; memory_release.h freed memory back after a burst
//   election.h         leader election
//   routes.h, metrics.h  /healthz, /readyz, /metrics
//   admission_handler.h  the webhook (every replica), webhook_sync.h its Secret and
//                      configuration (the leader)
//   custom_kinds.h     the kinds WorkloadKinds declare, watched by the leader
//
// Only the leader runs workers; a replica that is not leading keeps its caches warm so that it
// can take over at once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "csp/kube/client.h"
#include "csp/kube/work_queue.h"
#include "csp/manager/admission_handler.h"
#include "csp/manager/caches.h"
#include "csp/manager/custom_kinds.h"
#include "csp/manager/election.h"
#include "csp/manager/event_recorder.h"
#include "csp/manager/expiry_schedule.h"
#include "csp/manager/image_verification.h"
#include "csp/manager/key_dispatch.h"
#include "csp/manager/memory_release.h"
#include "csp/manager/node_facts_holder.h"
#include "csp/manager/options.h"
#include "csp/manager/policy_set.h"
#include "csp/manager/reconcilers.h"
#include "csp/manager/tally_store.h"
#include "csp/manager/webhook_sync.h"
#include "csp/manager/worker_pool.h"
#include "csp/manager/write_overlay.h"
#include "csp/serve/http_server.h"

namespace csp::manager {

class Manager {
 public:
  // `client` does the operator's work; `lease_client` (few retries) only the Lease;
  // `events_client` only Events, with a rate limit of its own (controller-runtime's recorder
  // has its own client too): Events never take a label patch's turn.
  Manager(const Options& options, kube::Client& client, kube::Client& lease_client,
          kube::Client& events_client);
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
  // The webhook's routes and certificate; empty/null when --webhook-listen-address is empty.
  serve::Routes WebhookRoutes();
  std::shared_ptr<serve::TlsCredentials> WebhookCredentials() const { return tls_; }
  std::string MetricsText() const;
  bool Ready() const { return caches_.Synced(); }
  bool Leading() const { return leading_.load(); }

 private:
  KeyActions Actions();
  void StartWorkers();
  // The first worker's preparation: caches synced, then everything queued.
  bool PrepareTerm();
  void RebuildPolicies();
  // Rebuilds the node facts; true when they changed.
  bool RebuildNodeFacts();
  void ScheduleExpiry();
  void EnqueueAllNamespaces();
  void EnqueuePolicies();
  void EnqueueEverything();
  bool WebhookEnabled() const { return !options_.webhook_listen_address.empty(); }
  bool WritesEveryReportApi() const { return report_apis_.size() == names::kReportApis.size(); }
  // The "webhook" key: the Secret and the configuration, then the next run queued.
  Status SyncWebhookNow();
  // Node facts for admission, on every replica (the leader's are rebuilt by its workers only).
  std::shared_ptr<const policy::NodeFacts> AdmissionNodeFacts();
  void LoadWebhookCertificate(const nlohmann::json& secret);
  // The "signatures" key: with a policy that verifies image signatures, every namespace again.
  void RecheckSignatures();
  // The "workload-kinds" key: the declared custom kinds watched, then the next run queued.
  Status SyncWorkloadKinds();

  const Options options_;
  kube::Client& client_;
  kube::Client& lease_client_;
  kube::Client& events_client_;
  std::stop_source stop_;
  const std::vector<names::ReportApi> report_apis_;  // --report-api
  Caches caches_;
  PolicySetHolder policies_;
  // Before context_, which points to it; its informers stop with stop_ (Shutdown).
  CustomKinds custom_kinds_;
  ExpirySchedule expiry_;
  NodeFactsHolder node_facts_;
  TallyStore tallies_;
  EventRecorder events_;
  WriteOverlay<CachedWorkload> written_workloads_;
  WriteOverlay<CachedReport> written_reports_;
  ReportDigests report_digests_;
  RemediationGuard remediation_guard_;
  // Image signature verification, shared by the reconcilers and admission (null when its
  // settings are invalid: Start reports why).
  // (Declared in this order: the status's initializer sets the pointer.)
  std::unique_ptr<ImageVerification> image_verification_;
  Status image_verification_status_;
  ReconcileContext context_;
  // Behind a pointer: /metrics reads its length (which promotes due keys) from a const method.
  const std::unique_ptr<kube::WorkQueue> queue_ = std::make_unique<kube::WorkQueue>();
  ReconcileMetrics metrics_;
  KeyDispatcher dispatcher_;
  WorkerPool workers_;
  // Freed memory back to the kernel after each burst of keys (the leader's: only it works).
  MemoryRelease memory_release_{
      {.idle = [this] { return queue_->Len() == 0; }, .release = &TrimHeap}};
  std::jthread memory_release_thread_;
  Election election_;
  std::function<void()> on_lost_;

  // Admission (null without a webhook). The Secret's informer is every replica's: each
  // reloads the serving certificate the leader writes.
  const WebhookSyncSettings webhook_settings_;
  std::shared_ptr<serve::TlsCredentials> tls_;
  std::unique_ptr<kube::Informer<nlohmann::json>> webhook_secret_;
  std::unique_ptr<AdmissionHandler> admission_;
  std::atomic<bool> admission_facts_stale_{true};
  std::mutex admission_facts_mu_;
  std::shared_ptr<const policy::NodeFacts> admission_facts_;
  std::jthread webhook_secret_thread_;

  std::atomic<bool> leading_{false};
  std::atomic<bool> lost_leadership_{false};
  std::atomic<bool> shut_down_{false};
};

}  // namespace csp::manager
