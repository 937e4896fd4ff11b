// Privileged containers disable most isolation and must not run.
// Fields:  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.privileged
// Allowed: false, unset
#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  return CheckEachContainer(pod, [](const Container& c) -> std::string {
    bool privileged = c.security_context && c.security_context->privileged.value_or(false);
    return privileged ? "securityContext.privileged is true" : "";
  });
}

std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  return cel::EachContainerCheck(
      "c.?securityContext.?privileged.orValue(false) == true ? "
      "'securityContext.privileged is true' : ''");
}

// privileged: false on each privileged container.
Fix FixIt(const PodSpec& pod, const ControlSettings&, const Finding& finding) {
  Fix fix;
  for (const Container* c : NamedContainers(pod, finding.containers)) {
    fix.edits.push_back({.kind = FixEdit::Kind::kSet,
                         .path = Join(SecurityContextPath(pod, c), {"privileged"}),
                         .value = false});
  }
  return fix;
}

}  // namespace

Control Privileged() {
  return {.id = "disallow-privileged",
          .key = "privileged",
          .severity = "critical",
          .summary = "containers must not set securityContext.privileged=true",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true})",
          .pss_restricted = R"({"enabled": true})",
          .fix = &FixIt};
}

}  // namespace csp::policy::controls
