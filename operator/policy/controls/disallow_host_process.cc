// A Windows HostProcess container runs as a process on the node, outside any container
// isolation (PSS baseline "HostProcess").
// Fields:  spec.securityContext.windowsOptions.hostProcess,
//          spec.{initContainers,containers,ephemeralContainers}[*].securityContext
//          .windowsOptions.hostProcess
// Allowed: false, unset
#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

// As Pod Security Admission does, the pod's field and each container's are judged on their
// own: a container's false does not excuse the pod's true, nor the reverse.
Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  Finding f = CheckEachContainer(pod, [](const Container& c) -> std::string {
    bool host_process =
        c.security_context && c.security_context->windows_host_process.value_or(false);
    return host_process ? "securityContext.windowsOptions.hostProcess is true" : "";
  });
  if (pod.pod_security_context.windows_host_process.value_or(false)) {
    f.violations.insert(f.violations.begin(),
                        "spec.securityContext.windowsOptions.hostProcess is true");
    f.outcome = Outcome::kFail;
  }
  return f;
}

// The pod's violation first, as Check orders them.
std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  const std::string pod =
      std::string(cel::kPodSc) + ".?windowsOptions.?hostProcess.orValue(false) == true";
  const std::string problem =
      "c.?securityContext.?windowsOptions.?hostProcess.orValue(false) == true ? "
      "'securityContext.windowsOptions.hostProcess is true' : ''";
  cel::CelCheck each = cel::EachContainerCheck(problem);
  return cel::CelCheck{
      .passes = "!(" + pod + ") && " + each.passes,
      .violations = "(" + pod +
                    " ? ['spec.securityContext.windowsOptions.hostProcess is true'] : "
                    "[]) + " +
                    each.violations};
}

}  // namespace

Control DisallowHostProcess() {
  return {.id = "disallow-host-process",
          .key = "hostProcess",
          .severity = "critical",
          .summary = "pods and containers must not set windowsOptions.hostProcess=true",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true})",
          .pss_restricted = R"({"enabled": true})",
          .no_fix = "a HostProcess container is built to run on the host"};
}

}  // namespace csp::policy::controls
