// Emits core/v1 Events on workloads for the changes the operator makes (Labeled, Unlabeled,
// ScaledDown, Restored), so `kubectl describe` shows who changed the workload and why.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "csp/controllers/remediation_plan.h"
#include "csp/kube/client.h"
#include "csp/policy/workload.h"

namespace csp::manager {

class EventRecorder {
 public:
  EventRecorder(kube::Client& client, std::string instance);
  // Best effort: an Event that cannot be written is returned as an error for the caller to
  // log; it never fails the reconcile.
  Status Record(const policy::WorkloadRef& workload, const controllers::Event& event,
                std::chrono::system_clock::time_point now);

 private:
  kube::Client& client_;
  std::string instance_;
};

// The Event object (generateName "<workload>.") for `event` on `workload`.
nlohmann::json EventObject(const policy::WorkloadRef& workload, const controllers::Event& event,
                           std::string_view instance, std::chrono::system_clock::time_point now);

}  // namespace csp::manager
