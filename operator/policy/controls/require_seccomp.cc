// Without a seccomp profile Kubernetes runs a container Unconfined: every syscall is open.
// Fields:  securityContext.seccompProfile of each container, else of the pod (a container's
//          profile replaces the pod's as a whole object; the old annotations are ignored).
// Allowed: RuntimeDefault, Localhost with localhostProfile
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  Finding f;
  ForEachContainer(pod, [&](const Container& c) {
    const std::optional<Profile>& own =
        c.security_context ? c.security_context->seccomp : std::optional<Profile>{};
    const std::optional<Profile>& profile = own ? own : pod.pod_security_context.seccomp;
    const char* where =
        own ? "securityContext.seccompProfile" : "pod securityContext.seccompProfile";
    std::string problem;
    if (!profile) {
      problem = "seccompProfile is not set (the container runs Unconfined)";
    } else if (profile->type == "Unconfined") {
      problem = std::string(where) + ".type is Unconfined";
    } else if (profile->type == "Localhost") {
      if (!profile->localhost_profile || profile->localhost_profile->empty()) {
        problem = std::string(where) + ".type is Localhost without localhostProfile";
      }
    } else if (profile->type != "RuntimeDefault") {
      problem = std::string(where) + ".type \"" + std::string(profile->type) +
                "\" is not RuntimeDefault or Localhost";
    }
    if (!problem.empty()) {
      f.violations.push_back(ContainerLabel(c) + ": " + problem);
      f.containers.emplace_back(c.name);
    }
  });
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

}  // namespace

Control RequireSeccomp() {
  return {.id = "require-seccomp",
          .key = "seccomp",
          .severity = "high",
          .skip_on_windows = true,
          .summary = "containers must run with a RuntimeDefault or Localhost seccomp profile",
          .parse = &ParseNoSettings,
          .check = &Check};
}

}  // namespace csp::policy::controls
