// KeyDispatcher: what a worker does with a key of the work queue (queue_keys.h), and how the
// key's outcome requeues it (design.md "Errors": Forget on success, AddRateLimited on error).
//
// One namespace is one key, "ns/<namespace>": the queue never hands a key to two workers at
// once, so no two workers reconcile one namespace (and write its reports) at the same time. A
// pass that finds patches to apply only writes the reports and queues the key again behind the
// other namespaces, marked for remediation: at start-up every namespace's reports go out
// before the thousands of labels and Events.
//
// Policy status is written only once every namespace known at the start of the leadership term
// has been tried (never from partial counts), whether or not its pass succeeded: a namespace
// that keeps failing is named in the status instead of holding it back.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/kube/work_queue.h"
#include "csp/manager/reconcilers.h"
#include "csp/serve/histogram.h"

namespace csp::manager {

// The work behind the keys; the manager binds them to the reconcilers and caches.
struct KeyActions {
  std::function<NamespaceOutcome(const std::string& ns, bool remediate)> reconcile_namespace;
  // `failed_namespaces`: those whose last pass failed (sorted).
  std::function<Status(const std::string& policy,
                       const std::vector<std::string>& failed_namespaces)>
      reconcile_policy;
  // Queues every policy's key: the set of failed namespaces changed.
  std::function<void()> requeue_policies;
  std::function<void()> nodes;   // the "nodes" key
  std::function<void()> expiry;  // the "expiry" key
  // The "signatures" key (null when signatures are not verified); it queues its own next run.
  std::function<void()> signatures = nullptr;
  // The "webhook" key (null when the webhook is off); it queues its own next run.
  std::function<Status()> webhook = nullptr;
  // The "stale-reports" key (null when every report API is written); retried until it succeeds.
  std::function<Status()> stale_reports = nullptr;
  // The "workload-kinds" key; it queues its own next run.
  std::function<Status()> workload_kinds = nullptr;
};

// Counters for /metrics; thread-safe.
struct ReconcileMetrics {
  std::atomic<std::uint64_t> success{0}, error{0};
  std::atomic<std::uint64_t> workload_patches{0}, report_writes{0};
  serve::Histogram seconds{serve::kLatencyBuckets};
  // From a key's Add to a worker taking it (WorkQueue::Taken::waited).
  serve::Histogram queued_seconds{serve::kLatencyBuckets};
};

// Thread-safe: every worker calls Process.
class KeyDispatcher {
 public:
  KeyDispatcher(kube::WorkQueue& queue, KeyActions actions, ReconcileMetrics& metrics);

  // A new leadership term: policy status waits until each of `namespaces` has been tried.
  void ExpectNamespaces(const std::vector<std::string>& namespaces);

  // Does what `key` stands for and requeues it as its outcome says; `waited` is how long the
  // key was queued (a metric, and the debug line of a namespace pass).
  void Process(const std::string& key, kube::Clock::Duration waited = {});

 private:
  kube::WorkQueue& queue_;
  const KeyActions actions_;
  ReconcileMetrics& metrics_;

  // Whether `ns`'s pass is to remediate; clears the mark.
  bool TakeRemediation(const std::string& ns);
  // Records how `ns`'s pass went; true when the set of failed namespaces changed.
  bool RecordNamespace(const std::string& ns, bool ok);

  std::mutex mu_;
  std::set<std::string> pending_namespaces_;  // not tried yet in this term
  std::set<std::string> failed_namespaces_;   // whose last pass failed
  std::set<std::string> remediate_;           // whose next pass remediates
};

}  // namespace csp::manager
