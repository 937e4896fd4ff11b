#include "csp/manager/key_dispatch.h"

#include <chrono>

#include "csp/log/log.h"
#include "csp/manager/queue_keys.h"

namespace csp::manager {

KeyDispatcher::KeyDispatcher(kube::WorkQueue& queue, KeyActions actions, ReconcileMetrics& metrics)
    : queue_(queue), actions_(std::move(actions)), metrics_(metrics) {}

void KeyDispatcher::ExpectNamespaces(const std::vector<std::string>& namespaces) {
  std::lock_guard lock(pending_mu_);
  pending_namespaces_.insert(namespaces.begin(), namespaces.end());
}

void KeyDispatcher::Process(const std::string& key) {
  const auto start = std::chrono::steady_clock::now();
  Status status;
  if (key.starts_with(kNamespacePrefix) || key.starts_with(kRemediatePrefix)) {
    // "ns/" writes reports and queues "fix/" behind the other namespaces when something is to
    // be patched; "fix/" patches (its reports are already right).
    const bool remediate = key.starts_with(kRemediatePrefix);
    const std::string ns = key.substr(key.find('/') + 1);
    NamespaceOutcome outcome = actions_.reconcile_namespace(ns, remediate);
    if (outcome.needs_remediation) queue_.Add(std::string(kRemediatePrefix) + ns);
    metrics_.workload_patches += outcome.patches;
    metrics_.report_writes += outcome.report_writes;
    for (const std::string& p : outcome.changed_policies)
      queue_.AddAfter(PolicyKey(p), kPolicyDelay);
    status = std::move(outcome.status);
    if (status) {
      std::lock_guard lock(pending_mu_);
      pending_namespaces_.erase(ns);
    }
  } else if (key.starts_with(kPolicyPrefix)) {
    {
      std::lock_guard lock(pending_mu_);
      if (!pending_namespaces_.empty()) {
        queue_.AddAfter(key, kPolicyDelay);
        return;
      }
    }
    status = actions_.reconcile_policy(key.substr(kPolicyPrefix.size()));
  } else if (key == kNodesKey) {
    actions_.nodes();
  } else if (key == kExpiryKey) {
    actions_.expiry();
  }
  metrics_.seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (status) {
    ++metrics_.success;
    queue_.Forget(key);
    return;
  }
  ++metrics_.error;
  const LogFields fields = {{"key", key},
                            {"error", status.error().message},
                            {"retries", std::to_string(queue_.NumRequeues(key))}};
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
