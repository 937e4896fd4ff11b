// The policy engine: workload in, results out. Pure: no I/O, no clock, no logging.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/policy/control.h"
#include "csp/policy/eval_context.h"
#include "csp/policy/label_selector.h"
#include "csp/policy/object_view.h"
#include "csp/policy/policy.h"
#include "csp/policy/workload.h"

namespace csp::policy {

inline constexpr std::string_view kCategory = "Pod Security";

// One result per (workload, rule).
struct RuleResult {
  std::string_view rule = {};  // points into the static control table
  Outcome outcome = Outcome::kPass;
  std::string severity = {};
  std::string message = {};
  std::vector<std::string> containers = {};            // offending containers of a fail
  std::vector<std::string> nodes = {};                 // nodes lacking a profile the workload needs
  std::optional<std::size_t> exemption = {};           // index of the exemption that made it skip
  std::map<std::string, std::string> properties = {};  // the control's own report properties
  const ControlConfig* config = nullptr;               // the policy's entry for this rule
  // A fail's fix as an RFC 6902 JSON Patch against the workload object (fix.h), whole; null
  // when there is none. properties["fix"] says which, and properties["patch"] holds it when
  // it is small enough.
  nlohmann::json patch = {};
};

// Whether `policy.match` selects the workload. `namespace_labels` is null when the
// namespace's labels are unknown (then a namespaceSelector sees no labels).
bool Matches(const Policy& policy, const Workload& workload, const Labels* namespace_labels);
// The same, from a workload's identity and labels (when its object is no longer at hand).
bool Matches(const Policy& policy, const WorkloadRef& workload, const Labels& workload_labels,
             const Labels* namespace_labels);

// Evaluates every control of `policy` on the workload: exactly one result per control, in
// control order. An error means the workload itself is malformed (a field of the wrong type).
Result<std::vector<RuleResult>> Evaluate(const Policy& policy, const Workload& workload,
                                         const EvalContext& context);
// The same on a pod spec read without a JSON tree (cspctl scan's fast path), the fixes' patches
// written through a view of the workload object, whose pod spec is at `pod_spec_path`
// (Workload::pod_spec_path). Results as Evaluate gives for the object's tree, or nullopt when
// the view cannot tell what a patch needs (ObjectView::Equals): then evaluate the tree.
std::optional<std::vector<RuleResult>> EvaluateWithObjectView(
    const Policy& policy, const WorkloadRef& workload, const PodSpec& pod,
    std::string_view pod_spec_path, const ObjectView& object, const EvalContext& context);

// The index of the first exemption of `policy` that covers (workload, rule) at `now`.
std::optional<std::size_t> FindExemption(const Policy& policy, const WorkloadRef& workload,
                                         std::string_view rule, std::chrono::sys_seconds now);

}  // namespace csp::policy
