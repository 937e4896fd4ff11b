// One workload against every policy that matches it: the engine's results, grouped per policy.
// Pure: the caller passes the namespace's labels and the time.
#pragma once

#include <functional>
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

// The image signatures one policy's keys verify for one workload (its pull credentials), or
// null when they are not checked. Signature verdicts depend on the policy's keys, so the
// context's `signatures` is per policy.
using SignaturesFor = std::function<const policy::ImageSignatures*(
    const policy::Policy& policy, const policy::Workload& workload)>;

// Evaluates `workload` under each policy of `policies` whose match selects it (policies that do
// not match give nothing). `namespace_labels` is null when the namespace is unknown. An error
// means the workload itself is malformed; it names the workload. With `signatures`, each
// policy's context carries what it returns (else context.signatures for all).
Result<std::vector<Evaluation>> EvaluateWorkload(std::span<const policy::Policy> policies,
                                                 const policy::Workload& workload,
                                                 const policy::Labels* namespace_labels,
                                                 const policy::EvalContext& context,
                                                 const SignaturesFor& signatures = nullptr);

// The action a policy asks for a rule: the control's `action` override, else spec.action.
policy::Action EffectiveAction(const policy::Policy& policy, const policy::RuleResult& result);

}  // namespace csp::controllers
