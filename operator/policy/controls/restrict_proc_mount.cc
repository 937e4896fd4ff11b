// An Unmasked /proc exposes kernel interfaces the runtime's default masks hide (PSS baseline
// and restricted "/proc Mount Type").
// Fields:  spec.{initContainers,containers,ephemeralContainers}[*].securityContext.procMount
// Allowed: Default, unset
// PSS baseline since Kubernetes 1.35 allows any value in a pod with spec.hostUsers: false (its
// /proc belongs to the pod's user namespace); restricted does not: allowInUserNamespace.
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  bool allow_in_user_namespace = false;
};

constexpr std::array<ControlField, 1> kFields = {{{"allowInUserNamespace", "false"}}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  ReadBool(obj, "allowInUserNamespace", path, errors, s->allow_in_user_namespace);
  return s;
}

// Any other value fails, the empty string included (PSA compares with "Default" as well).
Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  if (s.allow_in_user_namespace && pod.host_users == false) return {};
  return CheckEachContainer(pod, [](const Container& c) -> std::string {
    if (!c.security_context || !c.security_context->proc_mount) return "";
    std::string_view mount = *c.security_context->proc_mount;
    if (mount == "Default") return "";
    return "securityContext.procMount is \"" + std::string(mount) + "\", not Default";
  });
}

std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  const auto& s = static_cast<const Settings&>(settings);
  // With allowInUserNamespace, a pod with hostUsers false passes whatever its containers say.
  const std::string user_namespace =
      s.allow_in_user_namespace ? std::string(cel::kSpec) + ".?hostUsers.orValue(true) == false || "
                                : std::string();
  return cel::EachContainerCheck(cel::Let(
      "m", "c.?securityContext.?procMount",
      user_namespace + "!m.hasValue() || m.value() == 'Default' ? '' : "
                       "'securityContext.procMount is \"' + m.value() + '\", not Default'"));
}

}  // namespace

Control RestrictProcMount() {
  return {.id = "restrict-proc-mount",
          .key = "procMount",
          .severity = "medium",
          .summary = "containers must not set securityContext.procMount other than Default",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          .pss_baseline = R"({"enabled": true, "allowInUserNamespace": true})",
          .pss_restricted = R"({"enabled": true})",
          .no_fix = "an unmasked /proc is asked for on purpose, e.g. for nested containers"};
}

}  // namespace csp::policy::controls
