#include "csp/manager/event_recorder.h"

#include "csp/controllers/policy_status.h"
#include "csp/manager/resources.h"

namespace csp::manager {

EventRecorder::EventRecorder(kube::Client& client, std::string instance)
    : client_(client), instance_(std::move(instance)) {}

nlohmann::json EventObject(const policy::WorkloadRef& workload, const controllers::Event& event,
                           std::string_view instance, std::chrono::system_clock::time_point now) {
  const std::string time = controllers::FormatTime(std::chrono::floor<std::chrono::seconds>(now));
  // A legacy-style Event (no eventTime): what `kubectl describe` and most tools still read.
  return {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"generateName", workload.name + "."}, {"namespace", workload.ns}}},
      {"involvedObject",
       {{"apiVersion", workload.api_version},
        {"kind", workload.kind},
        {"namespace", workload.ns},
        {"name", workload.name},
        {"uid", workload.uid}}},
      {"type", event.type},
      {"reason", event.reason},
      {"message", event.message},
      {"source", {{"component", "csp-operator"}}},
      {"reportingComponent", "csp-operator"},
      {"reportingInstance", instance},
      {"action", event.reason},
      {"firstTimestamp", time},
      {"lastTimestamp", time},
      {"count", 1},
  };
}

Status EventRecorder::Record(const policy::WorkloadRef& workload, const controllers::Event& event,
                             std::chrono::system_clock::time_point now) {
  auto created = client_.Create(kEvents, workload.ns, EventObject(workload, event, instance_, now));
  if (!created) return created.error();
  return {};
}

}  // namespace csp::manager
