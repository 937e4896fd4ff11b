// An Unconfined AppArmor profile removes the mandatory access control the runtime applies.
// Fields:  securityContext.appArmorProfile of each container, else of the pod, else the pod
//          annotation container.apparmor.security.beta.kubernetes.io/<container>.
// Allowed: RuntimeDefault, Localhost with localhostProfile; unset unless requireExplicit; in a
//          cluster, a Localhost profile csp-agent manages only when loaded on every node the
//          pod may run on (node_facts.h). With judgeOverridden, as Pod Security Admission does,
//          the pod's field is judged even where every container sets its own, and every
//          annotation even where a field wins over it or it names no container.
#include <algorithm>
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/node_facts.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  bool require_explicit = false;
  bool judge_overridden = false;
};

constexpr std::array<ControlField, 2> kFields = {{
    {"requireExplicit", "false"},
    {"judgeOverridden", "false"},
}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  ReadBool(obj, "requireExplicit", path, errors, s->require_explicit);
  ReadBool(obj, "judgeOverridden", path, errors, s->judge_overridden);
  return s;
}

// What is wrong with the profile field `field` written at `where`, or "". `nodes` is null
// offline and for a profile no container uses.
std::string FieldProblem(const Profile& field, const std::string& where, NodeProfileCheck* nodes) {
  if (field.type == "Unconfined") return where + ".type is Unconfined";
  if (field.type == "Localhost" && (!field.localhost_profile || field.localhost_profile->empty())) {
    return where + ".type is Localhost without localhostProfile";
  }
  if (field.type != "RuntimeDefault" && field.type != "Localhost") {
    return where + ".type \"" + std::string(field.type) + "\" is not RuntimeDefault or Localhost";
  }
  if (field.type == "Localhost" && nodes) return nodes->AppArmor(*field.localhost_profile);
  return "";
}

// The same for the annotation of `container` holding `value`.
std::string AnnotationProblem(std::string_view container, std::string_view value,
                              NodeProfileCheck* nodes) {
  std::string where =
      "annotation container.apparmor.security.beta.kubernetes.io/" + std::string(container);
  if (value == "runtime/default") return "";
  if (value.substr(0, 10) == "localhost/") {
    if (value.size() == 10) return where + " is localhost/ without a profile name";
    return nodes ? nodes->AppArmor(value.substr(10)) : "";
  }
  if (value == "unconfined") return where + " is unconfined";
  return where + " value \"" + std::string(value) +
         "\" is not runtime/default, localhost/<name> or unconfined";
}

const std::string_view* AnnotationOf(const PodSpec& pod, std::string_view container) {
  for (const auto& [name, value] : pod.app_armor_annotations) {
    if (name == container) return &value;
  }
  return nullptr;
}

// The problems with one container's profile, or "" when it is acceptable: its effective
// profile, and with judgeOverridden its annotation under a field too.
std::string Problem(const PodSpec& pod, const Container& c, const Settings& s,
                    NodeProfileCheck* nodes, bool& pod_field_used) {
  const std::optional<Profile>& own =
      c.security_context ? c.security_context->app_armor : std::optional<Profile>{};
  const std::optional<Profile>& field = own ? own : pod.pod_security_context.app_armor;
  const std::string_view* annotation = AnnotationOf(pod, c.name);
  if (!field) {
    if (annotation) return AnnotationProblem(c.name, *annotation, nodes);
    return s.require_explicit ? "no AppArmor profile is set (requireExplicit)" : "";
  }
  pod_field_used |= !own;
  std::string p = FieldProblem(
      *field, own ? "securityContext.appArmorProfile" : "pod securityContext.appArmorProfile",
      nodes);
  if (s.judge_overridden && annotation) {
    std::string q = AnnotationProblem(c.name, *annotation, nullptr);
    if (!q.empty()) p += (p.empty() ? "" : ", ") + q;
  }
  return p;
}

// The violations of what no container uses (judgeOverridden): the pod's field under every
// container's own, and annotations naming no container.
void JudgeOverridden(const PodSpec& pod, bool pod_field_used, Finding& f) {
  const std::optional<Profile>& pod_field = pod.pod_security_context.app_armor;
  if (pod_field && !pod_field_used) {
    std::string p = FieldProblem(*pod_field, "spec.securityContext.appArmorProfile", nullptr);
    if (!p.empty()) f.violations.push_back(std::move(p));
  }
  for (const auto& annotation : pod.app_armor_annotations) {
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    const std::string_view container = annotation.first;
    const std::string_view value = annotation.second;
    const bool named = std::any_of(pod.containers.begin(), pod.containers.end(),
                                   [&](const Container& c) { return c.name == container; });
    if (named) continue;
    std::string p = AnnotationProblem(container, value, nullptr);
    if (!p.empty()) f.violations.push_back(std::move(p));
  }
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext& context) {
  const auto& s = static_cast<const Settings&>(settings);
  std::optional<NodeProfileCheck> nodes;
  if (context.node_facts != nullptr) nodes.emplace(*context.node_facts, pod);
  bool pod_field_used = false;
  Finding f = CheckEachContainer(pod, [&](const Container& c) {
    return Problem(pod, c, s, nodes ? &*nodes : nullptr, pod_field_used);
  });
  if (nodes) f.nodes = nodes->MissingNodes();
  if (s.judge_overridden) JudgeOverridden(pod, pod_field_used, f);
  return f;
}

// The spec half only, as for seccomp: Localhost profiles of csp-agent's go to the webhook.
// RuntimeDefault wherever a failing profile is written: a container's own field, the pod's field
// (used by every container without its own), an annotation (its value becomes runtime/default,
// an edit in place); a container that must name a profile (requireExplicit) gets its own field.
// Annotations are never added: the operator's cached copy keeps only the template's annotations,
// so adding a parent object there could overwrite what it does not see.
Fix FixIt(const PodSpec& pod, const ControlSettings& settings, const Finding& finding) {
  const auto& s = static_cast<const Settings&>(settings);
  if (!finding.nodes.empty()) {
    return NoFix("a Localhost profile is missing on nodes the pod may run on: install it");
  }
  Fix fix;
  auto set_field = [&](const Container* c, const std::optional<Profile>& current) {
    SetRuntimeDefault(SecurityContextPath(pod, c), "appArmorProfile", current, fix.edits);
  };
  auto set_annotation = [&](std::string_view container, std::string_view value) {
    if (AnnotationProblem(container, value, nullptr).empty()) return;
    fix.edits.push_back(
        {.kind = FixEdit::Kind::kSet,
         .path = {"metadata", "annotations",
                  "container.apparmor.security.beta.kubernetes.io/" + std::string(container)},
         .value = "runtime/default"});
  };
  bool pod_field_used = false;
  for (const Container& c : pod.containers) {
    const std::optional<Profile>& own =
        c.security_context ? c.security_context->app_armor : std::optional<Profile>{};
    const std::optional<Profile>& field = own ? own : pod.pod_security_context.app_armor;
    const std::string_view* annotation = AnnotationOf(pod, c.name);
    if (!field) {
      if (annotation) {
        set_annotation(c.name, *annotation);
      } else if (s.require_explicit) {
        set_field(&c, own);
      }
      continue;
    }
    pod_field_used |= !own;
    if (!FieldProblem(*field, "", nullptr).empty()) set_field(own ? &c : nullptr, field);
    if (s.judge_overridden && annotation) set_annotation(c.name, *annotation);
  }
  if (s.judge_overridden) {
    const std::optional<Profile>& pod_field = pod.pod_security_context.app_armor;
    if (pod_field && !pod_field_used && !FieldProblem(*pod_field, "", nullptr).empty()) {
      set_field(nullptr, pod_field);
    }
    for (const auto& [container, value] : pod.app_armor_annotations)
      set_annotation(container, value);
  }
  return fix;
}

std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const auto& s = static_cast<const Settings&>(settings);
  // The fields Pod Security Standards parity added go to the webhook (never approximated).
  if (s.judge_overridden) return std::nullopt;
  const bool require_explicit = s.require_explicit;
  const std::string field =
      "t == 'Unconfined' ? where + '.type is Unconfined' : "
      "t == 'Localhost' && f.?localhostProfile.orValue('') == '' ? "
      "where + '.type is Localhost without localhostProfile' : "
      "t != 'RuntimeDefault' && t != 'Localhost' ? "
      "where + '.type \"' + t + '\" is not RuntimeDefault or Localhost' : ''";
  const std::string annotation =
      "v == 'runtime/default' ? '' : "
      "v.startsWith('localhost/') ? (size(v) == 10 ? a + ' is localhost/ without a profile name' "
      ": '') : "
      "v == 'unconfined' ? a + ' is unconfined' : "
      "a + ' value \"' + v + '\" is not runtime/default, localhost/<name> or unconfined'";
  const std::string unset =
      require_explicit ? "'no AppArmor profile is set (requireExplicit)'" : "''";
  const std::string key = "'container.apparmor.security.beta.kubernetes.io/' + c.name";
  return cel::EachContainerCheck(
      Let("own", "c.?securityContext.?appArmorProfile",
          Let("f", std::string("own.or(") + std::string(cel::kPodSc) + ".?appArmorProfile)",
              "f.hasValue() ? " +
                  Let("where",
                      "own.hasValue() ? 'securityContext.appArmorProfile' : "
                      "'pod securityContext.appArmorProfile'",
                      Let("t", "f.?type.orValue('')", field)) +
                  " : " +
                  Let("o", std::string(cel::kAnnotations) + "[?(" + key + ")]",
                      "o.hasValue() ? " +
                          Let("v", "string(o.value())",
                              Let("a", "'annotation ' + " + key, annotation)) +
                          " : " + unset))));
}

}  // namespace

Control RequireAppArmor() {
  return {.id = "require-apparmor",
          .key = "appArmor",
          .severity = "medium",
          .skip_on_windows = true,
          .summary = "containers must not run with an Unconfined AppArmor profile",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true, "judgeOverridden": true})",
          .pss_restricted = R"({"enabled": true, "judgeOverridden": true})",
          .fix = &FixIt};
}

}  // namespace csp::policy::controls
