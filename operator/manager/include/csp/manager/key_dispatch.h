// KeyDispatcher: what a worker does with a key of the work queue (queue_keys.h), and how the
// key's outcome requeues it (design.md "Errors": Forget on success, AddRateLimited on error).
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
  std::function<Status(const std::string& policy)> reconcile_policy;
  std::function<void()> nodes;   // the "nodes" key
  std::function<void()> expiry;  // the "expiry" key
};

// Counters for /metrics; thread-safe.
struct ReconcileMetrics {
  std::atomic<std::uint64_t> success{0}, error{0};
  std::atomic<std::uint64_t> workload_patches{0}, report_writes{0};
  serve::Histogram seconds{serve::kLatencyBuckets};
};

// Thread-safe: every worker calls Process.
class KeyDispatcher {
 public:
  KeyDispatcher(kube::WorkQueue& queue, KeyActions actions, ReconcileMetrics& metrics);

  // A new leadership term: policy status waits until each of `namespaces` has been reconciled,
  // so that it is never written from partial counts.
  void ExpectNamespaces(const std::vector<std::string>& namespaces);

  // Does what `key` stands for and requeues it as its outcome says.
  void Process(const std::string& key);

 private:
  kube::WorkQueue& queue_;
  const KeyActions actions_;
  ReconcileMetrics& metrics_;

  std::mutex pending_mu_;
  std::set<std::string> pending_namespaces_;
};

}  // namespace csp::manager
