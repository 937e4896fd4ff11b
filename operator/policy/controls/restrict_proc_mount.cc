// An Unmasked /proc exposes kernel interfaces the runtime's default masks hide (PSS baseline
// and restricted "/proc Mount Type").
// Fields:  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount
// Allowed: Default, unset
// PSS baseline since Kubernetes 1.35 allows any value in a pod with spec.hostUsers: false
// (restricted does not); the pod model does not carry hostUsers, so this control judges such
// pods as restricted does (docs/controls.md "restrict-proc-mount").
#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

// Any other value fails, the empty string included (PSA compares with "Default" as well).
Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  return CheckEachContainer(pod, [](const Container& c) -> std::string {
    if (!c.security_context || !c.security_context->proc_mount) return "";
    std::string_view mount = *c.security_context->proc_mount;
    if (mount == "Default") return "";
    return "securityContext.procMount is \"" + std::string(mount) + "\", not Default";
  });
}

std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  return cel::EachContainerCheck(
      cel::Let("m", "c.?securityContext.?procMount",
               "!m.hasValue() || m.value() == 'Default' ? '' : "
               "'securityContext.procMount is \"' + m.value() + '\", not Default'"));
}

}  // namespace

Control RestrictProcMount() {
  return {.id = "restrict-proc-mount",
          .key = "procMount",
          .severity = "medium",
          .summary = "containers must not set securityContext.procMount other than Default",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true})",
          .pss_restricted = R"({"enabled": true})"};
}

}  // namespace csp::policy::controls
