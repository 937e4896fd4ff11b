// The manager's /metrics in the Prometheus text format: reconciles, the work queue, the
// informers, API requests, leadership, and the workloads each policy matched.
#pragma once

#include <string>

#include "csp/kube/client.h"
#include "csp/kube/work_queue.h"
#include "csp/manager/admission_handler.h"
#include "csp/manager/caches.h"
#include "csp/manager/custom_kinds.h"
#include "csp/manager/event_recorder.h"
#include "csp/manager/key_dispatch.h"
#include "csp/manager/remediation_guard.h"
#include "csp/manager/tally_store.h"

namespace csp::manager {

struct MetricsSources {
  const ReconcileMetrics& reconcile;
  kube::WorkQueue& queue;
  const Caches& caches;
  // Requests of all clients are summed.
  const kube::Client& client;
  const kube::Client& lease_client;
  struct Events {
    const EventRecorder& recorder;
    const kube::Client& client;
  };
  const Events* events = nullptr;  // null: not counted
  const TallyStore& tallies;
  bool leading = false;
  const AdmissionHandler* admission = nullptr;  // null: no webhook
  const RemediationGuard* remediation_guard = nullptr;
  const CustomKinds* custom_kinds = nullptr;  // their informers join the per-resource metrics
};

std::string RenderMetrics(const MetricsSources& sources);

}  // namespace csp::manager
