// A process that may gain privileges (set-user-ID binaries, file capabilities) can become root
// in its container however the container starts; allowPrivilegeEscalation: false sets the
// kernel's no_new_privs. Pod Security Standards, restricted.
// Fields:  securityContext.allowPrivilegeEscalation of every container (init, ephemeral too)
// Allowed: false. Unset fails: the runtime's default is true. A privileged container, or one
//          adding SYS_ADMIN, escalates whatever the field says (the API server refuses false
//          with privileged or CAP_SYS_ADMIN), so false with either fails too.
#include <algorithm>

#include "csp/policy/cel.h"
#include "csp/policy/control.h"
#include "csp/policy/text.h"

namespace csp::policy::controls {
namespace {

constexpr std::string_view kField = "securityContext.allowPrivilegeEscalation";

bool AddsSysAdmin(const SecurityContext& sc) {
  return sc.capabilities &&
         std::any_of(sc.capabilities->add.begin(), sc.capabilities->add.end(),
                     [](std::string_view cap) { return NormalizeCapability(cap) == "SYS_ADMIN"; });
}

Finding Check(const PodSpec& pod, const ControlSettings&, const EvalContext&) {
  return CheckEachContainer(pod, [](const Container& c) -> std::string {
    if (!c.security_context || !c.security_context->allow_privilege_escalation) {
      return std::string(kField) + " is not set to false";
    }
    const SecurityContext& sc = *c.security_context;
    if (*sc.allow_privilege_escalation) return std::string(kField) + " is true";
    if (sc.privileged.value_or(false)) {
      return std::string(kField) + " is false, but privileged is true: it escalates anyway";
    }
    if (AddsSysAdmin(sc)) {
      return std::string(kField) +
             " is false, but capabilities.add holds SYS_ADMIN: it escalates anyway";
    }
    return "";
  });
}

// allowPrivilegeEscalation: false on each failing container. A privileged container or one
// adding SYS_ADMIN escalates whatever the field says, and the API server refuses the pair: the
// privilege must go first (disallow-privileged, restrict-capabilities), so there is no fix here.
Fix FixIt(const PodSpec& pod, const ControlSettings&, const Finding& finding) {
  Fix fix;
  for (const Container* c : NamedContainers(pod, finding.containers)) {
    if (c->security_context &&
        (c->security_context->privileged.value_or(false) || AddsSysAdmin(*c->security_context))) {
      return NoFix(ContainerLabel(*c) +
                   " is privileged or adds SYS_ADMIN, which escalates whatever the field says");
    }
    fix.edits.push_back({.kind = FixEdit::Kind::kSet,
                         .path = Join(SecurityContextPath(pod, c), {"allowPrivilegeEscalation"}),
                         .value = false});
  }
  return fix;
}

std::optional<cel::CelCheck> Cel(const ControlSettings&) {
  const std::string field = cel::Quote(kField);
  return cel::EachContainerCheck(cel::Let(
      "sc", "c.?securityContext",
      "!sc.?allowPrivilegeEscalation.hasValue() ? " + field +
          " + ' is not set to false' : " + "sc.?allowPrivilegeEscalation.value() == true ? " +
          field + " + ' is true' : " + "sc.?privileged.orValue(false) == true ? " + field +
          " + ' is false, but privileged is true: it escalates anyway' : " +
          "sc.?capabilities.?add.orValue([]).exists(x, " + cel::NormalizedCapability("x") +
          " == 'SYS_ADMIN') ? " + field +
          " + ' is false, but capabilities.add holds SYS_ADMIN: it escalates anyway' : ''"));
}

}  // namespace

Control DisallowPrivilegeEscalation() {
  return {.id = "disallow-privilege-escalation",
          .key = "privilegeEscalation",
          .severity = "medium",
          // Restricted-level: most workloads leave the field unset, which fails (controls.md).
          .enabled_by_default = false,
          // Windows has no set-user-ID; PSA admits Windows pods without the check.
          .skip_on_windows = true,
          .summary = "containers must set securityContext.allowPrivilegeEscalation=false",
          .parse = &ParseNoSettings,
          .check = &Check,
          .cel = &Cel,
          .pss_restricted = R"({"enabled": true})",
          .fix = &FixIt};
}

}  // namespace csp::policy::controls
