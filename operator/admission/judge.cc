#include "csp/admission/judge.h"

#include <algorithm>
#include <optional>

#include "csp/admission/judged_as.h"
#include "csp/admission/template_change.h"
#include "csp/controllers/evaluation.h"
#include "csp/names/names.h"

namespace csp::admission {
namespace {

using policy::Admission;
using policy::Outcome;

// CREATE and UPDATE of the workload kinds themselves, and kubectl debug's
// pods/ephemeralcontainers (an UPDATE whose object is the Pod with its new containers). Other
// subresources (status, scale, binding, eviction, ...) change no pod template.
bool Judged(const AdmissionRequest& r) {
  if (r.operation != "CREATE" && r.operation != "UPDATE") return false;
  if (!r.sub_resource.empty() &&
      !(r.resource == names::kPods.plural && r.sub_resource == "ephemeralcontainers")) {
    return false;
  }
  return policy::IsWorkloadKind(r.group, r.kind);
}

// The policies that act at admission, in name order (the order of the message).
std::vector<const policy::Policy*> AdmissionPolicies(std::span<const policy::Policy> policies) {
  std::vector<const policy::Policy*> out;
  for (const policy::Policy& p : policies) {
    if (p.admission != Admission::kNone) out.push_back(&p);
  }
  std::stable_sort(out.begin(), out.end(), [](const policy::Policy* a, const policy::Policy* b) {
    return a->name < b->name;
  });
  return out;
}

// Collects the verdict policy by policy.
class VerdictBuilder {
 public:
  // Every result of `policy` on the workload.
  void Add(const policy::Policy& policy, const std::vector<policy::RuleResult>& results) {
    std::string failures;
    for (const policy::RuleResult& r : results) {
      if (r.outcome == Outcome::kFail) {
        std::string line = std::string(r.rule) + ": " + r.message;
        if (policy.admission == Admission::kWarn) {
          verdict_.warnings.push_back(PolicyPrefix(policy.name) + line);
        } else {
          failures += (failures.empty() ? "" : "; ") + line;
        }
      } else if (r.outcome == Outcome::kError) {
        verdict_.warnings.push_back(PolicyPrefix(policy.name) + std::string(r.rule) +
                                    ": could not be decided" +
                                    (r.message.empty() ? "" : ": " + r.message));
      }
    }
    if (!failures.empty()) Refuse(403, PolicyPrefix(policy.name) + failures);
  }

  // `policy` could not read the workload: `why` names the field.
  void CannotJudge(const policy::Policy& policy, const std::string& why) {
    std::string line = PolicyPrefix(policy.name) + "cannot judge " + why;
    if (policy.admission == Admission::kWarn) {
      verdict_.warnings.push_back(std::move(line));
    } else {
      Refuse(400, std::move(line));
    }
  }

  Verdict Take() && { return std::move(verdict_); }

 private:
  // A rule that fails (403) outweighs a workload that cannot be read (400).
  void Refuse(int code, std::string part) {
    verdict_.code = verdict_.allowed ? code : std::max(verdict_.code, code);
    verdict_.allowed = false;
    verdict_.message += (verdict_.message.empty() ? "" : "; ") + part;
  }

  Verdict verdict_;
};

// The workload of `object`, named from the request when its metadata leaves the name out
// (generateName). nullopt with `why` set when it cannot be read; nullopt alone when `object`
// is not a workload.
std::optional<policy::Workload> ReadWorkload(const nlohmann::json& object,
                                             const AdmissionRequest& request, std::string* why) {
  auto workload = policy::AsWorkload(object, request.ns);
  if (!workload) {
    if (why != nullptr) {
      *why = request.kind + " " + request.ns + "/" + request.name + ": " + workload.error().message;
    }
    return std::nullopt;
  }
  if (*workload && (*workload)->ref.name.empty()) (*workload)->ref.name = request.name;
  return std::move(*workload);
}

}  // namespace

std::string PolicyPrefix(std::string_view policy_name) {
  return std::string(names::kGroup) + " policy \"" + std::string(policy_name) + "\": ";
}

Verdict Judge(const AdmissionRequest& request, std::span<const policy::Policy> policies,
              const policy::Labels* namespace_labels, const controllers::OwnerLookup& owners,
              const policy::EvalContext& context, const controllers::SignaturesFor& signatures) {
  if (!Judged(request)) return {};
  const std::vector<const policy::Policy*> admission = AdmissionPolicies(policies);
  if (admission.empty()) return {};
  VerdictBuilder verdict;
  std::string why;
  std::optional<policy::Workload> workload = ReadWorkload(request.object, request, &why);
  if (!workload) {
    // Unreadable metadata: no policy can tell whether it matches, so every one judges it (as
    // Pod Security Admission refuses an object it cannot decode).
    if (why.empty()) return {};  // not a workload object after all
    for (const policy::Policy* p : admission) verdict.CannotJudge(*p, why);
    return std::move(verdict).Take();
  }
  if (request.operation == "UPDATE") {
    std::optional<policy::Workload> old = ReadWorkload(request.old_object, request, nullptr);
    if (old && !PodTemplateChanged(*old, *workload)) return {};
  }
  const policy::Workload subject = JudgedAs(*workload, owners);
  for (const policy::Policy* p : admission) {
    // The reports' own path, one policy at a time: match, then evaluate.
    auto evaluations = controllers::EvaluateWorkload(std::span(p, 1), subject, namespace_labels,
                                                     context, signatures);
    if (!evaluations) {
      verdict.CannotJudge(*p, evaluations.error().message);
      continue;
    }
    for (const controllers::Evaluation& e : *evaluations) verdict.Add(*p, e.results);
  }
  return std::move(verdict).Take();
}

}  // namespace csp::admission
