// Without a seccomp profile Kubernetes runs a container Unconfined: every syscall is open.
// Fields:  securityContext.seccompProfile of each container, else of the pod (a container's
//          profile replaces the pod's as a whole object; the old annotations are ignored).
// Allowed: RuntimeDefault, Localhost with localhostProfile; in a cluster, a Localhost profile
//          under containersecurity/ (csp-agent's) only when installed on every node the pod
//          may run on (node_facts.h).
#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/node_facts.h"

namespace csp::policy::controls {
namespace {

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext& context) {
  std::optional<NodeProfileCheck> nodes;
  if (context.node_facts != nullptr) nodes.emplace(*context.node_facts, pod);
  Finding f = CheckEachContainer(pod, [&](const Container& c) -> std::string {
    const std::optional<Profile>& own =
        c.security_context ? c.security_context->seccomp : std::optional<Profile>{};
    const std::optional<Profile>& profile = own ? own : pod.pod_security_context.seccomp;
    const std::string where =
        own ? "securityContext.seccompProfile" : "pod securityContext.seccompProfile";
    if (!profile) return "seccompProfile is not set (the container runs Unconfined)";
    if (profile->type == "Unconfined") return where + ".type is Unconfined";
    if (profile->type == "Localhost") {
      if (!profile->localhost_profile || profile->localhost_profile->empty()) {
        return where + ".type is Localhost without localhostProfile";
      }
      return nodes ? nodes->Seccomp(*profile->localhost_profile) : "";
    }
    if (profile->type != "RuntimeDefault") {
      return where + ".type \"" + std::string(profile->type) +
             "\" is not RuntimeDefault or Localhost";
    }
    return "";
  });
  if (nodes) f.nodes = nodes->MissingNodes();
  return f;
}

// The spec half only: a Localhost profile of csp-agent's reaches the webhook, which knows the
// nodes (the generator defers such objects to it).
std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  using cel::Let;
  const std::string problem =
      "!p.hasValue() ? 'seccompProfile is not set (the container runs Unconfined)' : "
      "t == 'Unconfined' ? where + '.type is Unconfined' : "
      "t == 'Localhost' ? (p.?localhostProfile.orValue('') == '' ? "
      "where + '.type is Localhost without localhostProfile' : '') : "
      "t != 'RuntimeDefault' ? where + '.type \"' + t + '\" is not RuntimeDefault or Localhost' : "
      "''";
  return cel::EachContainerCheck(
      Let("own", "c.?securityContext.?seccompProfile",
          Let("p", std::string("own.or(") + std::string(cel::kPodSc) + ".?seccompProfile)",
              Let("where",
                  "own.hasValue() ? 'securityContext.seccompProfile' : "
                  "'pod securityContext.seccompProfile'",
                  Let("t", "p.?type.orValue('')", problem)))));
}

}  // namespace

Control RequireSeccomp() {
  return {.id = "require-seccomp",
          .key = "seccomp",
          .severity = "high",
          .skip_on_windows = true,
          .summary = "containers must run with a RuntimeDefault or Localhost seccomp profile",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel};
}

}  // namespace csp::policy::controls
