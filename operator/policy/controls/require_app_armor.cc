// An Unconfined AppArmor profile removes the mandatory access control the runtime applies.
// Fields:  securityContext.appArmorProfile of each container, else of the pod, else the pod
//          annotation container.apparmor.security.beta.kubernetes.io/<container>.
// Allowed: RuntimeDefault, Localhost with localhostProfile; unset unless requireExplicit; in a
//          cluster, a Localhost profile csp-agent manages only when loaded on every node the
//          pod may run on (node_facts.h).
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/node_facts.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  bool require_explicit = false;
};

constexpr std::array<ControlField, 1> kFields = {{{"requireExplicit", "false"}}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  if (const nlohmann::json* v = GetField(obj, "requireExplicit")) {
    if (ExpectType(*v, nlohmann::json::value_t::boolean, path + ".requireExplicit", errors)) {
      s->require_explicit = v->get<bool>();
    }
  }
  return s;
}

// The problem with one container's effective profile, or "" when it is acceptable.
// `nodes` is null offline (no node facts): the spec alone is judged.
std::string Problem(const PodSpec& pod, const Container& c, bool require_explicit,
                    NodeProfileCheck* nodes) {
  const std::optional<Profile>& own =
      c.security_context ? c.security_context->app_armor : std::optional<Profile>{};
  const std::optional<Profile>& field = own ? own : pod.pod_security_context.app_armor;
  if (field) {
    const char* where =
        own ? "securityContext.appArmorProfile" : "pod securityContext.appArmorProfile";
    if (field->type == "Unconfined") return std::string(where) + ".type is Unconfined";
    if (field->type == "Localhost" &&
        (!field->localhost_profile || field->localhost_profile->empty())) {
      return std::string(where) + ".type is Localhost without localhostProfile";
    }
    if (field->type != "RuntimeDefault" && field->type != "Localhost") {
      return std::string(where) + ".type \"" + std::string(field->type) +
             "\" is not RuntimeDefault or Localhost";
    }
    if (field->type == "Localhost" && nodes) return nodes->AppArmor(*field->localhost_profile);
    return "";
  }
  for (const auto& [container, value] : pod.app_armor_annotations) {
    if (container != c.name) continue;
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
  if (require_explicit) return "no AppArmor profile is set (requireExplicit)";
  return "";
}

Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext& context) {
  const bool require_explicit = static_cast<const Settings&>(settings).require_explicit;
  std::optional<NodeProfileCheck> nodes;
  if (context.node_facts != nullptr) nodes.emplace(*context.node_facts, pod);
  Finding f = CheckEachContainer(pod, [&](const Container& c) {
    return Problem(pod, c, require_explicit, nodes ? &*nodes : nullptr);
  });
  if (nodes) f.nodes = nodes->MissingNodes();
  return f;
}

// The spec half only, as for seccomp: Localhost profiles of csp-agent's go to the webhook.
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  using cel::Let;
  const bool require_explicit = static_cast<const Settings&>(settings).require_explicit;
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
          .cel = &Cel};
}

}  // namespace csp::policy::controls
