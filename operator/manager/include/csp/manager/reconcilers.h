// The operator's two reconcilers, level-triggered and idempotent: each reads the caches (never
// the event that woke it), computes the desired state with the pure csp::controllers
// decisions, and writes only the difference.
//
//   ReconcileNamespace: every top-level workload of one namespace (custom kinds' too, each of
//     their pod templates) against every policy that matches it; remediation patches and Events;
//     the namespace's PolicyReports.
//   ReconcilePolicy: one policy's status from the tallies of every namespace.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "csp/controllers/gitops_owner.h"
#include "csp/kube/client.h"
#include "csp/manager/caches.h"
#include "csp/manager/custom_kinds.h"
#include "csp/manager/event_recorder.h"
#include "csp/manager/image_verification.h"
#include "csp/manager/node_facts_holder.h"
#include "csp/manager/policy_set.h"
#include "csp/manager/remediation_guard.h"
#include "csp/manager/report_digests.h"
#include "csp/manager/tally_store.h"
#include "csp/manager/write_overlay.h"

namespace csp::manager {

struct ReconcileContext {
  kube::Client& client;
  Caches& caches;
  PolicySetHolder& policies;
  NodeFactsHolder& node_facts;
  TallyStore& tallies;
  EventRecorder& events;
  // Our writes the caches may not show yet: workloads by "<Kind>/<ns>/<name>", reports by
  // "<ns>/<name>".
  WriteOverlay<CachedWorkload>& written_workloads;
  WriteOverlay<CachedReport>& written_reports;
  std::function<std::chrono::system_clock::time_point()> now;
  // Verifies image signatures for policies with keys; null: they are `skip`.
  ImageVerification* image_verification = nullptr;
  // Revert counts and the patch budget; null: neither (every planned patch is sent).
  RemediationGuard* remediation_guard = nullptr;
  std::string argocd_instance_label =
      std::string(controllers::kDefaultArgoCdInstanceLabel);  // --argocd-instance-label
  // The custom workload kinds watched (WorkloadKinds); null: none.
  const CustomKinds* custom_kinds = nullptr;
  // The desired reports' content digests of the last pass; null: computed every pass.
  ReportDigests* report_digests = nullptr;
};

struct NamespaceOutcome {
  // ok, or the first write that failed (the key is retried; other writes still happened).
  Status status = {};
  // Policies whose tally in the namespace changed: their status needs a pass.
  std::vector<std::string> changed_policies = {};
  int patches = 0;        // workloads patched
  int report_writes = 0;  // reports created, updated or deleted
  // Their wall time, requests and responses included (the pass's debug line: where a pass's
  // time goes under churn, docs/benchmarks.md).
  std::chrono::steady_clock::duration report_write_time = {};
  // Some workload has a planned patch that was not applied (ReconcileNamespace remediate false).
  bool needs_remediation = false;
};

// With `remediate` false the reports are written but planned patches are not applied (the
// outcome says whether there are any): the dispatcher queues the namespace again to remediate,
// behind the other namespaces, so that after a start, a policy change or an expiry every
// namespace's reports go out before the thousands of labels and Events (key_dispatch.h).
NamespaceOutcome ReconcileNamespace(ReconcileContext& ctx, const std::string& ns,
                                    bool remediate = true);

// Writes the policy's status when it differs from the cached one. A deleted policy is a no-op.
// Those of `failed_namespaces` (whose last pass failed) that the policy's match may cover are
// named in its Ready condition.
Status ReconcilePolicy(ReconcileContext& ctx, const std::string& name,
                       std::span<const std::string> failed_namespaces = {});

}  // namespace csp::manager
