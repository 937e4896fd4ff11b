// Without a seccomp profile Kubernetes runs a container Unconfined: every syscall is open.
// Fields:  securityContext.seccompProfile of each container, else of the pod (a container's
//          profile replaces the pod's as a whole object; the old annotations are ignored).
// Allowed: RuntimeDefault, Localhost with localhostProfile, unset when allowUnset; in a
//          cluster, a Localhost profile under containersecurity/ (csp-agent's) only when
//          installed on every node the pod may run on (node_facts.h). With judgeOverridden the
//          pod's profile is judged even where every container replaces it, as Pod Security
//          Admission does.
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/node_facts.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  bool allow_unset = false;
  bool judge_overridden = false;
};

constexpr std::array<ControlField, 2> kFields = {{
    {"allowUnset", "false"},
    {"judgeOverridden", "false"},
}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  ReadBool(obj, "allowUnset", path, errors, s->allow_unset);
  ReadBool(obj, "judgeOverridden", path, errors, s->judge_overridden);
  return s;
}

// What is wrong with `profile`, written at `where`, or "". `nodes` is null offline, and for a
// profile no container uses.
std::string ProfileProblem(const Profile& profile, const std::string& where,
                           std::optional<NodeProfileCheck>& nodes) {
  if (profile.type == "Unconfined") return where + ".type is Unconfined";
  if (profile.type == "Localhost") {
    if (!profile.localhost_profile || profile.localhost_profile->empty()) {
      return where + ".type is Localhost without localhostProfile";
    }
    return nodes ? nodes->Seccomp(*profile.localhost_profile) : "";
  }
  if (profile.type != "RuntimeDefault") {
    return where + ".type \"" + std::string(profile.type) + "\" is not RuntimeDefault or Localhost";
  }
  return "";
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext& context) {
  const auto& s = static_cast<const Settings&>(settings);
  std::optional<NodeProfileCheck> nodes;
  if (context.node_facts != nullptr) nodes.emplace(*context.node_facts, pod);
  bool pod_profile_used = false;
  Finding f = CheckEachContainer(pod, [&](const Container& c) -> std::string {
    const std::optional<Profile>& own =
        c.security_context ? c.security_context->seccomp : std::optional<Profile>{};
    if (own) return ProfileProblem(*own, "securityContext.seccompProfile", nodes);
    pod_profile_used = true;
    const std::optional<Profile>& profile = pod.pod_security_context.seccomp;
    if (!profile) {
      return s.allow_unset ? "" : "seccompProfile is not set (the container runs Unconfined)";
    }
    return ProfileProblem(*profile, "pod securityContext.seccompProfile", nodes);
  });
  if (nodes) f.nodes = nodes->MissingNodes();
  // A pod profile some container uses was judged above, in that container's name.
  if (s.judge_overridden && !pod_profile_used && pod.pod_security_context.seccomp) {
    std::optional<NodeProfileCheck> unused;
    std::string p = ProfileProblem(*pod.pod_security_context.seccomp,
                                   "spec.securityContext.seccompProfile", unused);
    if (!p.empty()) {
      f.violations.push_back(std::move(p));
      f.outcome = Outcome::kFail;
    }
  }
  return f;
}

// RuntimeDefault where the failing profile is written: a container's own profile, else the
// pod's, which every container without its own uses (so a missing profile is set once, there).
Fix FixIt(const PodSpec& pod, const ControlSettings&, const Finding& finding) {
  if (!finding.nodes.empty()) {
    return NoFix("a Localhost profile is missing on nodes the pod may run on: install it");
  }
  Fix fix;
  // A violation naming no container is the pod's own profile (judgeOverridden).
  bool pod_level = finding.violations.size() > finding.containers.size();
  for (const Container* c : NamedContainers(pod, finding.containers)) {
    const std::optional<Profile>& own =
        c->security_context ? c->security_context->seccomp : std::optional<Profile>{};
    if (own) {
      SetRuntimeDefault(SecurityContextPath(pod, c), "seccompProfile", own, fix.edits);
    } else {
      pod_level = true;
    }
  }
  if (pod_level) {
    SetRuntimeDefault(SecurityContextPath(pod, nullptr), "seccompProfile",
                      pod.pod_security_context.seccomp, fix.edits);
  }
  return fix;
}

// The spec half only: a Localhost profile of csp-agent's reaches the webhook, which knows the
// nodes (the generator defers such objects to it).
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const auto& s = static_cast<const Settings&>(settings);
  // The fields Pod Security Standards parity added go to the webhook (never approximated).
  if (s.allow_unset || s.judge_overridden) return std::nullopt;
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
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true, "allowUnset": true, "judgeOverridden": true})",
          .pss_restricted = R"({"enabled": true, "judgeOverridden": true})",
          .fix = &FixIt};
}

}  // namespace csp::policy::controls
