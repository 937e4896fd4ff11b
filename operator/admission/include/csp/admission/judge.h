// The judgement of one admission request by the engine that writes the reports, so that
// admission, reports and `cspctl scan` never disagree on a workload (docs/admission.md "What is
// judged"). Pure: the caller passes the policies, the namespace's labels, a lookup into its
// caches for owners, and the time.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/admission/review.h"
#include "csp/controllers/evaluation.h"
#include "csp/controllers/owner_resolution.h"
#include "csp/policy/eval_context.h"
#include "csp/policy/label_selector.h"
#include "csp/policy/policy.h"

namespace csp::admission {

// The prefix of every message and warning: `containersecurity.dev policy "<name>": `.
std::string PolicyPrefix(std::string_view policy_name);

struct Verdict {
  bool allowed = true;
  int code = 200;  // 403 when a Deny policy fails it, 400 when one cannot judge it
  std::string message = {};
  std::vector<std::string> warnings = {};
};

// Judges a CREATE or UPDATE of a workload kind (policy::IsWorkloadKind), or of
// pods/ephemeralcontainers, under the policies of `policies` whose admission is Warn or Deny;
// everything else is allowed without warnings. An UPDATE is judged only when
// PodTemplateChanged. The workload is matched and exempted as its top-level owner (JudgedAs).
// Each failing rule of a Deny policy refuses the request; the message names every failing Deny
// policy (in name order), each failing rule and its containers:
//   containersecurity.dev policy "prod": disallow-privileged: container "app": securityContext.
//   privileged is true; require-seccomp: container "app": ...; containersecurity.dev policy
//   "zeta": ...
// Each failing rule of a Warn policy adds the warning
//   containersecurity.dev policy "audit": disallow-privileged: container "app": ...
// and each `error` result of either adds `... policy "p": <rule>: could not be decided: <why>`.
// A workload the engine cannot read (a field of the wrong type) is refused with 400 by a Deny
// policy and warned about by a Warn policy: `... policy "p": cannot judge <why>`.
// `namespace_labels` is null when the namespace is unknown; `signatures` as in EvaluateWorkload.
Verdict Judge(const AdmissionRequest& request, std::span<const policy::Policy> policies,
              const policy::Labels* namespace_labels, const controllers::OwnerLookup& owners,
              const policy::EvalContext& context,
              const controllers::SignaturesFor& signatures = nullptr);

}  // namespace csp::admission
