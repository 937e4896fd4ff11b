#include "csp/controllers/evaluation.h"

namespace csp::controllers {

Result<std::vector<Evaluation>> EvaluateWorkload(std::span<const policy::Policy> policies,
                                                 const policy::Workload& workload,
                                                 const policy::Labels* namespace_labels,
                                                 const policy::EvalContext& context,
                                                 const SignaturesFor& signatures) {
  std::vector<Evaluation> out;
  for (const policy::Policy& p : policies) {
    if (!policy::Matches(p, workload, namespace_labels)) continue;
    policy::EvalContext policy_context = context;
    if (signatures) policy_context.signatures = signatures(p, workload);
    auto results = policy::Evaluate(p, workload, policy_context);
    if (!results) {
      return InvalidArgument(workload.ref.kind + " " + workload.ref.ns + "/" + workload.ref.name +
                             ": " + results.error().message);
    }
    out.push_back({.policy = &p, .workload = workload.ref, .results = std::move(*results)});
  }
  return out;
}

policy::Action EffectiveAction(const policy::Policy& policy, const policy::RuleResult& result) {
  if (result.config && result.config->action) return *result.config->action;
  return policy.action;
}

}  // namespace csp::controllers
