// The leader writes the generated ValidatingAdmissionPolicies and their bindings
// (controllers/validating_admission_policy.h) and deletes those no policy asks for any more.
#pragma once

#include <chrono>
#include <optional>
#include <span>

#include "csp/common/result.h"
#include "csp/controllers/validating_admission_policy.h"
#include "csp/kube/client.h"
#include "csp/policy/policy.h"

namespace csp::manager {

struct VapSyncOutcome {
  int applied = 0;  // policies whose VAP and binding were applied
  int deleted = 0;  // VAPs or bindings deleted
  // When an exemption expires and the objects must be generated again.
  std::optional<std::chrono::sys_seconds> regenerate_at = {};
};

// Applies (server-side) the VAP and binding of every policy of the ValidatingAdmissionPolicy
// path, then deletes the operator's VAPs and bindings (label app.kubernetes.io/managed-by:
// csp-operator) that are not among them. Bindings go first on the way out and last on the way
// in, so the API server never holds a binding without its policy for long.
Result<VapSyncOutcome> SyncValidatingAdmissionPolicies(kube::Client& client,
                                                       const controllers::VapSettings& settings,
                                                       std::span<const policy::Policy> policies,
                                                       std::chrono::sys_seconds now);

}  // namespace csp::manager
