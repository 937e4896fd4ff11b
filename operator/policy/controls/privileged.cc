// Privileged containers disable most isolation and must not run.
// Fields:  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged
// Allowed: false, unset
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  Finding f;
  ForEachContainer(pod, [&](const Container& c) {
    if (c.security_context && c.security_context->privileged.value_or(false)) {
      f.violations.push_back(ContainerLabel(c) + ": securityContext.privileged is true");
      f.containers.emplace_back(c.name);
    }
  });
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

}  // namespace

Control Privileged() {
  return {.id = "disallow-privileged",
          .key = "privileged",
          .severity = "critical",
          .summary = "containers must not set securityContext.privileged=true",
          .parse = &ParseNoSettings,
          .check = &Check};
}

}  // namespace csp::policy::controls
