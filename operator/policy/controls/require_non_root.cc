// A container running as root is one escape away from root on the node.
// Fields:  securityContext.{runAsUser,runAsNonRoot} of each container, else of the pod
// Allowed: effective runAsUser > 0, or effective runAsNonRoot true with runAsUser unset.
//          Literal, as controls.md says: runAsNonRoot false with runAsUser 1000 passes.
//          With requireRunAsNonRoot (PSS restricted): effective runAsNonRoot true and
//          effective runAsUser not 0. With judgeOverridden the pod's values are judged even
//          where every container replaces them, as Pod Security Admission does.
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  bool require_run_as_non_root = false;
  bool judge_overridden = false;
};

constexpr std::array<ControlField, 2> kFields = {{
    {"requireRunAsNonRoot", "false"},
    {"judgeOverridden", "false"},
}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  ReadBool(obj, "requireRunAsNonRoot", path, errors, s->require_run_as_non_root);
  ReadBool(obj, "judgeOverridden", path, errors, s->judge_overridden);
  return s;
}

// The violations of pod-level values no container uses (judgeOverridden): a value some
// container uses was judged in that container's name.
void JudgeOverridden(const PodSpec& pod, const Settings& s, bool pod_user_used,
                     bool pod_non_root_used, Finding& f) {
  const SecurityContext& pod_sc = pod.pod_security_context;
  if (!pod_user_used && pod_sc.run_as_user == 0) {
    f.violations.push_back("spec.securityContext.runAsUser is 0");
  }
  if (s.require_run_as_non_root && !pod_non_root_used && pod_sc.run_as_non_root == false) {
    f.violations.push_back("spec.securityContext.runAsNonRoot is false");
  }
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
}

// runAsNonRoot: true on a container whose effective runAsUser is already non-zero (it only
// states what holds), and on the pod where no container uses the pod's value; an unused pod
// runAsUser 0 removed. A user of 0 or none is no mechanical change: which non-root UID the
// image can run as is known only to its author.
Fix FixIt(const PodSpec& pod, const ControlSettings& settings, const Finding& finding) {
  const auto& s = static_cast<const Settings&>(settings);
  const SecurityContext& pod_sc = pod.pod_security_context;
  Fix fix;
  bool pod_user_used = false;
  bool pod_non_root_used = false;
  for (const Container& c : pod.containers) {
    const SecurityContext* sc = c.security_context ? &*c.security_context : nullptr;
    pod_user_used |= !(sc && sc->run_as_user);
    pod_non_root_used |= !(sc && sc->run_as_non_root);
  }
  for (const Container* c : NamedContainers(pod, finding.containers)) {
    const SecurityContext* sc = c->security_context ? &*c->security_context : nullptr;
    std::optional<std::int64_t> user = sc && sc->run_as_user ? sc->run_as_user : pod_sc.run_as_user;
    if (user && *user == 0) {
      return NoFix(ContainerLabel(*c) + " runs as UID 0: choose a non-root UID the image can use");
    }
    if (!user) {
      return NoFix(ContainerLabel(*c) +
                   " sets no runAsUser: whether its image runs as root is unknown here");
    }
    fix.edits.push_back({.kind = FixEdit::Kind::kSet,
                         .path = Join(SecurityContextPath(pod, c), {"runAsNonRoot"}),
                         .value = true});
  }
  if (s.judge_overridden && !pod_user_used && pod_sc.run_as_user == 0) {
    fix.edits.push_back({.kind = FixEdit::Kind::kRemove,
                         .path = Join(SecurityContextPath(pod, nullptr), {"runAsUser"})});
  }
  if (s.judge_overridden && s.require_run_as_non_root && !pod_non_root_used &&
      pod_sc.run_as_non_root == false) {
    fix.edits.push_back({.kind = FixEdit::Kind::kSet,
                         .path = Join(SecurityContextPath(pod, nullptr), {"runAsNonRoot"}),
                         .value = true});
  }
  return fix;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  const SecurityContext& pod_sc = pod.pod_security_context;
  bool pod_user_used = false;
  bool pod_non_root_used = false;
  Finding f = CheckEachContainer(pod, [&](const Container& c) -> std::string {
    const SecurityContext* sc = c.security_context ? &*c.security_context : nullptr;
    const bool own_user = sc && sc->run_as_user;
    const bool own_non_root = sc && sc->run_as_non_root;
    pod_user_used |= !own_user;
    pod_non_root_used |= !own_non_root;
    std::optional<std::int64_t> user = own_user ? sc->run_as_user : pod_sc.run_as_user;
    std::optional<bool> non_root = own_non_root ? sc->run_as_non_root : pod_sc.run_as_non_root;
    if (user && *user == 0) return "runAsUser is 0";
    if (s.require_run_as_non_root) {
      if (non_root.value_or(false)) return "";
      return non_root ? "runAsNonRoot is false" : "runAsNonRoot is not set (true is required)";
    }
    if (!(user && *user > 0) && !non_root.value_or(false)) {
      return non_root ? "runAsNonRoot is false and runAsUser is not set"
                      : "neither runAsNonRoot: true nor runAsUser > 0 is set";
    }
    return "";
  });
  if (s.judge_overridden) JudgeOverridden(pod, s, pod_user_used, pod_non_root_used, f);
  return f;
}

std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const auto& s = static_cast<const Settings&>(settings);
  // The fields Pod Security Standards parity added go to the webhook (never approximated).
  if (s.require_run_as_non_root || s.judge_overridden) return std::nullopt;
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
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = "",
          .pss_restricted =
              R"({"enabled": true, "requireRunAsNonRoot": true, "judgeOverridden": true})",
          .fix = &FixIt};
}

}  // namespace csp::policy::controls
