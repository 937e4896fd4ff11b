#include "csp/manager/key_dispatch.h"

#include <chrono>

#include "csp/log/log.h"
#include "csp/manager/queue_keys.h"

namespace csp::manager {

KeyDispatcher::KeyDispatcher(kube::WorkQueue& queue, KeyActions actions, ReconcileMetrics& metrics)
    : queue_(queue), actions_(std::move(actions)), metrics_(metrics) {}

void KeyDispatcher::ExpectNamespaces(const std::vector<std::string>& namespaces) {
  std::lock_guard lock(mu_);
  pending_namespaces_.insert(namespaces.begin(), namespaces.end());
}

bool KeyDispatcher::TakeRemediation(const std::string& ns) {
  std::lock_guard lock(mu_);
  return remediate_.erase(ns) > 0;
}

bool KeyDispatcher::RecordNamespace(const std::string& ns, bool ok) {
  std::lock_guard lock(mu_);
  pending_namespaces_.erase(ns);
  return ok ? failed_namespaces_.erase(ns) > 0 : failed_namespaces_.insert(ns).second;
}

namespace {

std::string Milliseconds(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

}  // namespace

void KeyDispatcher::Process(const std::string& key, kube::Clock::Duration waited) {
  const auto start = std::chrono::steady_clock::now();
  metrics_.queued_seconds.Observe(std::chrono::duration<double>(waited).count());
  Status status;
  if (key.starts_with(kNamespacePrefix)) {
    const std::string ns = key.substr(kNamespacePrefix.size());
    NamespaceOutcome outcome = actions_.reconcile_namespace(ns, TakeRemediation(ns));
    if (outcome.needs_remediation) {
      {
        std::lock_guard lock(mu_);
        remediate_.insert(ns);
      }
      queue_.Add(key);  // held by this worker: queued again, at the back, when it is done
    }
    metrics_.workload_patches += outcome.patches;
    metrics_.report_writes += outcome.report_writes;
    for (const std::string& p : outcome.changed_policies) {
      queue_.AddAfter(PolicyKey(p), kPolicyDelay);
    }
    status = std::move(outcome.status);
    // Where a change's time goes on its way to its report (docs/benchmarks.md, churn): the
    // wait in the queue, then the pass and its writes.
    LogDebug("namespace pass", {{"namespace", ns},
                                {"queued_ms", Milliseconds(waited)},
                                {"took_ms", Milliseconds(std::chrono::steady_clock::now() - start)},
                                {"report_writes", std::to_string(outcome.report_writes)},
                                {"writes_ms", Milliseconds(outcome.report_write_time)},
                                {"patches", std::to_string(outcome.patches)}});
    if (RecordNamespace(ns, status.ok())) actions_.requeue_policies();
  } else if (key.starts_with(kPolicyPrefix)) {
    std::vector<std::string> failed;
    {
      std::lock_guard lock(mu_);
      if (!pending_namespaces_.empty()) {
        queue_.AddAfter(key, kPolicyDelay);
        return;
      }
      failed.assign(failed_namespaces_.begin(), failed_namespaces_.end());
    }
    status = actions_.reconcile_policy(key.substr(kPolicyPrefix.size()), failed);
  } else if (key == kNodesKey) {
    actions_.nodes();
  } else if (key == kExpiryKey) {
    actions_.expiry();
  } else if (key == kSignaturesKey && actions_.signatures) {
    actions_.signatures();
  } else if (key == kWebhookKey && actions_.webhook) {
    status = actions_.webhook();
  } else if (key == kStaleReportsKey && actions_.stale_reports) {
    status = actions_.stale_reports();
  } else if (key == kWorkloadKindsKey && actions_.workload_kinds) {
    status = actions_.workload_kinds();
  }
  metrics_.seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (status) {
    ++metrics_.success;
    queue_.Forget(key);
    return;
  }
  ++metrics_.error;
  // Named: LogFields holds string_views, which must not outlive a temporary string.
  const std::string retries = std::to_string(queue_.NumRequeues(key));
  const LogFields fields = {{"key", key}, {"error", status.error().message}, {"retries", retries}};
  if (status.error().code == Code::kAborted) {
    // A 409: something changed the object since the cache showed it (a controller's status
    // update, the user). Routine, and the retry starts from fresh state.
    LogInfo("conflict; retrying on fresh state", fields);
  } else {
    LogWarn("reconcile failed; retrying", fields);
  }
  queue_.AddRateLimited(key);
}

}  // namespace csp::manager
