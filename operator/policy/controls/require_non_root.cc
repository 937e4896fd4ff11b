// A container running as root is one escape away from root on the node.
// Fields:  securityContext.{runAsUser,runAsNonRoot} of each container, else of the pod
// Allowed: effective runAsUser > 0, or effective runAsNonRoot true with runAsUser unset.
//          Literal, as controls.md says: runAsNonRoot false with runAsUser 1000 passes.
#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  const SecurityContext& pod_sc = pod.pod_security_context;
  return CheckEachContainer(pod, [&](const Container& c) -> std::string {
    const SecurityContext* sc = c.security_context ? &*c.security_context : nullptr;
    std::optional<std::int64_t> user = sc && sc->run_as_user ? sc->run_as_user : pod_sc.run_as_user;
    std::optional<bool> non_root =
        sc && sc->run_as_non_root ? sc->run_as_non_root : pod_sc.run_as_non_root;
    if (user && *user == 0) return "runAsUser is 0";
    if (!(user && *user > 0) && !non_root.value_or(false)) {
      return non_root ? "runAsNonRoot is false and runAsUser is not set"
                      : "neither runAsNonRoot: true nor runAsUser > 0 is set";
    }
    return "";
  });
}

std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  using cel::Let;
  const std::string pod(cel::kPodSc);
  return cel::EachContainerCheck(
      Let("user", "c.?securityContext.?runAsUser.or(" + pod + ".?runAsUser)",
          Let("nonRoot", "c.?securityContext.?runAsNonRoot.or(" + pod + ".?runAsNonRoot)",
              "user.hasValue() && user.value() == 0 ? 'runAsUser is 0' : "
              "!(user.hasValue() && user.value() > 0) && !(nonRoot.orValue(false) == true) ? "
              "(nonRoot.hasValue() ? 'runAsNonRoot is false and runAsUser is not set' : "
              "'neither runAsNonRoot: true nor runAsUser > 0 is set') : ''")));
}

}  // namespace

Control RequireNonRoot() {
  return {.id = "require-non-root",
          .key = "runAsNonRoot",
          .severity = "high",
          .summary = "containers must run as a non-root user",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel};
}

}  // namespace csp::policy::controls
