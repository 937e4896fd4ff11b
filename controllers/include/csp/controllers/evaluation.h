// One workload against every policy that matches it: the engine's results, grouped per policy.
// Pure: the caller passes the namespace's labels and the time.
#pragma once

#include <span>
#include <vector>

#include "csp/common/result.h"
#include "csp/policy/engine.h"

namespace csp::controllers {

// The results of one workload under one policy. `results` point into `*policy` (their config),
// so the policy must outlive the evaluation.
struct Evaluation {
  const policy::Policy* policy = nullptr;
  policy::WorkloadRef workload = {};
  std::vector<policy::RuleResult> results = {};
};

// Evaluates `workload` under each policy of `policies` whose match selects it (policies that do
// not match give nothing). `namespace_labels` is null when the namespace is unknown. An error
// means the workload itself is malformed; it names the workload.
Result<std::vector<Evaluation>> EvaluateWorkload(std::span<const policy::Policy> policies,
                                                 const policy::Workload& workload,
                                                 const policy::Labels* namespace_labels,
                                                 const policy::EvalContext& context);

// The action a policy asks for a rule: the control's `action` override, else spec.action.
policy::Action EffectiveAction(const policy::Policy& policy, const policy::RuleResult& result);

}  // namespace csp::controllers
