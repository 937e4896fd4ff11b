// An SELinux type outside the container types (spc_t, unconfined_t) lifts the confinement
// SELinux puts on a container; a user or role can grant an unconfined one. Pod Security
// Standards, baseline and restricted.
// Fields:  spec.securityContext.seLinuxOptions and securityContext.seLinuxOptions of every
//          container (init, ephemeral too), each judged on its own, as PSA does: a container's
//          options do not excuse the pod's
// Allowed: type in `allowedTypes` ("" standing for an unset type), user and role unset
#include <algorithm>
#include <array>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"

namespace csp::policy::controls {
namespace {

struct Settings : ControlSettings {
  std::vector<std::string> allowed_types;
};

// PSS's set since Kubernetes 1.31 (PSA's check_seLinuxOptions.go).
constexpr std::array<ControlField, 1> kFields = {{
    {"allowedTypes",
     R"(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"])"},
}};

std::shared_ptr<const ControlSettings> Parse(const nlohmann::json& obj, const std::string& path,
                                             FieldErrors& errors) {
  auto s = std::make_shared<Settings>();
  if (const nlohmann::json* v = GetField(obj, "allowedTypes")) {
    ReadStringList(*v, path + ".allowedTypes", errors, s->allowed_types);
  }
  return s;
}

// What is wrong with one seLinuxOptions; `field` names it ("securityContext.seLinuxOptions").
std::string Problems(const SeLinuxOptions& o, std::string_view field, const Settings& s) {
  std::string problems;
  auto add = [&](std::string_view name, std::string_view value, std::string_view why) {
    if (!problems.empty()) problems += ", ";
    problems += std::string(field) + "." + std::string(name) + " is " +
                (value.empty() ? std::string("unset") : "\"" + std::string(value) + "\"") + " (" +
                std::string(why) + ")";
  };
  const auto& allowed = s.allowed_types;
  if (std::find(allowed.begin(), allowed.end(), o.type) == allowed.end()) {
    add("type", o.type, "not allowed");
  }
  if (!o.user.empty()) add("user", o.user, "must be unset");
  if (!o.role.empty()) add("role", o.role, "must be unset");
  return problems;
}

// The pod's options apply to the containers without their own (a container's replace them as
// a whole): those are the pod-level violation's containers.
Finding Check(const PodSpec& pod, const ControlSettings& settings, const EvalContext&) {
  const auto& s = static_cast<const Settings&>(settings);
  Finding f;
  bool pod_bad = false;
  if (const auto& options = pod.pod_security_context.se_linux) {
    std::string p = Problems(*options, "spec.securityContext.seLinuxOptions", s);
    pod_bad = !p.empty();
    if (pod_bad) f.violations.push_back(std::move(p));
  }
  ForEachContainer(pod, [&](const Container& c) {
    const SecurityContext* sc = c.security_context ? &*c.security_context : nullptr;
    if (sc == nullptr || !sc->se_linux) {
      if (pod_bad) f.containers.emplace_back(c.name);
      return;
    }
    std::string p = Problems(*sc->se_linux, "securityContext.seLinuxOptions", s);
    if (p.empty()) return;
    f.violations.push_back(ContainerLabel(c) + ": " + p);
    f.containers.emplace_back(c.name);
  });
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

// Problems() over the options `o` (a map) written at `field`.
std::string CelProblems(std::string_view o, std::string_view field, const Settings& s) {
  const std::string f = cel::Quote(std::string(field) + ".");
  const std::string o_str(o);
  return cel::Let(
      "t", o_str + ".?type.orValue('')",
      cel::Let("u", o_str + ".?user.orValue('')",
               cel::Let("r", o_str + ".?role.orValue('')",
                        "[t in " + cel::QuoteList(s.allowed_types) + " ? '' : " + f +
                            " + 'type is ' + (t == '' ? 'unset' : '\"' + t + '\"') + "
                            "' (not allowed)', u == '' ? '' : " +
                            f + " + 'user is \"' + u + '\" (must be unset)', r == '' ? '' : " + f +
                            " + 'role is \"' + r + '\" (must be unset)'].filter(p, p != '')"
                            ".join(', ')")));
}

// The pod's violation first, as Check orders them.
std::optional<cel::CelCheck> Cel(const ControlSettings& settings) {
  const auto& s = static_cast<const Settings&>(settings);
  const std::string pod =
      cel::Let("po", std::string(cel::kPodSc) + ".?seLinuxOptions",
               "po.hasValue() ? " +
                   CelProblems("po.value()", "spec.securityContext.seLinuxOptions", s) + " : ''");
  cel::CelCheck each = cel::EachContainerCheck(
      cel::Let("co", "c.?securityContext.?seLinuxOptions",
               "co.hasValue() ? " + CelProblems("co.value()", "securityContext.seLinuxOptions", s) +
                   " : ''"));
  return cel::CelCheck{.passes = "(" + pod + ") == '' && " + each.passes,
                       .violations = "[" + pod + "].filter(p, p != '') + " + each.violations};
}

}  // namespace

Control RestrictSeLinux() {
  return {.id = "restrict-selinux",
          .key = "seLinux",
          .severity = "high",
          .summary = "seLinuxOptions may set only an allowed type, never user or role",
          .fields = kFields,
          .parse = &Parse,
          .check = &Check,
          .cel = &Cel,
          // allowedTypes' default is PSS's set.
          .pss_baseline = R"({"enabled": true})",
          .pss_restricted = R"({"enabled": true})",
          .no_fix = "the SELinux type, user or role was chosen for what the workload accesses"};
}

}  // namespace csp::policy::controls
