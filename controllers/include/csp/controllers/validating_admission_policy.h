// The ValidatingAdmissionPolicy path of admission (docs/admission.md "ValidatingAdmissionPolicy"):
// for a policy with `admissionMode: ValidatingAdmissionPolicy`, a generated
// ValidatingAdmissionPolicy + Binding (CEL, run by the API server) judges the rules CEL expresses
// exactly, and the objects it cannot judge exactly go to the webhook whole. Pure.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/policy/policy.h"

namespace csp::controllers {

// Which of the operator's webhook paths judges a policy at admission.
enum class AdmissionRoute {
  kNone,     // admission None: nobody
  kWebhook,  // the webhook judges every object (mode Webhook, or a rule CEL cannot express)
  kDeferred  // the generated ValidatingAdmissionPolicy judges; the webhook only the objects
             // AdmissionPlan::deferred selects, on the deferred path
};

struct AdmissionPlan {
  AdmissionRoute route = AdmissionRoute::kNone;
  std::vector<std::string> vap_rules = {};      // enabled rules the VAP judges
  std::vector<std::string> webhook_rules = {};  // enabled rules only the webhook judges
  // The rule whose settings CEL cannot express (then the whole policy stays with the webhook).
  std::string not_expressible = {};
  // CEL over `object` and `request` (no variables): true for an object the VAP cannot judge
  // exactly, which the webhook then judges whole. "false" when there is none.
  std::string deferred = "false";
  std::vector<std::string> deferred_reasons = {};  // the same, in words (status, docs)
};

AdmissionPlan PlanAdmission(const policy::Policy& policy);

// "csp-<policy>": the name of both the ValidatingAdmissionPolicy and its binding.
std::string ValidatingAdmissionPolicyName(std::string_view policy_name);

struct VapSettings {
  std::string failure_policy = "Fail";  // of a Deny policy's VAP; a Warn policy's Ignores
  // Never judged, as for the webhook (kubernetes.io/metadata.name NotIn).
  std::vector<std::string> exclude_namespaces = {};
};

struct GeneratedVap {
  nlohmann::json policy = {};   // admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy
  nlohmann::json binding = {};  // ... ValidatingAdmissionPolicyBinding
  // CEL reads no clock: exemptions expired at `now` are left out, and the objects must be
  // generated again when the next one expires (one second after its `expires`, as the engine
  // still applies it at `expires`).
  std::optional<std::chrono::sys_seconds> regenerate_at = {};
};

// The objects for `policy` at `now`, or nullopt when its route is not kDeferred or it has no
// rule for the VAP to judge.
std::optional<GeneratedVap> DesiredValidatingAdmissionPolicy(const policy::Policy& policy,
                                                             const VapSettings& settings,
                                                             std::chrono::sys_seconds now);

// status.admission of `policy` (api.md): the mode, the VAP's name, where each enabled rule runs
// and what the webhook judges whole. Null for admission None.
nlohmann::json AdmissionStatus(const policy::Policy& policy);

}  // namespace csp::controllers
