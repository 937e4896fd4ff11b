// A control: one rule id, its settings under spec.controls.<key>, and a pure check.
// Adding a control = one file in controls/, one test table, one line in CMakeLists.txt (and
// its docs). The registry is the one statement of the set: the CRD's schema is held to it by
// tests/policy/crd_test.cc, and the other tests count and name controls through it.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/policy/cel.h"
#include "csp/policy/eval_context.h"
#include "csp/policy/field_errors.h"
#include "csp/policy/fix.h"
#include "csp/policy/pod_spec.h"

namespace csp::policy {

enum class Outcome { kPass, kFail, kSkip, kError };
std::string_view OutcomeName(Outcome o);  // "pass", "fail", "skip", "error"

// What a check found. `violations` become the message: one entry per offending container
// and field, e.g. `container "app": securityContext.privileged is true`.
struct Finding {
  Outcome outcome = Outcome::kPass;
  std::vector<std::string> violations = {};
  std::vector<std::string> containers = {};  // offending container names, for `properties`
  std::vector<std::string> nodes = {};       // nodes lacking a profile (rules 2, 3), sorted
  std::string note = {};                     // why a skip or error happened
  std::map<std::string, std::string> properties = {};  // extra report properties (string-valued)
};

// A control's own settings, parsed once per policy. Each control derives its own type.
struct ControlSettings {
  virtual ~ControlSettings() = default;
};
struct NoSettings : ControlSettings {};

// A field of spec.controls.<key> besides enabled/severity/action, and the value it takes when
// the policy leaves it out (JSON text). This is the one statement of the default: the parser
// fills an absent field from it (or from a spec.podSecurityStandard preset) before the control
// parses its settings; the CRD states no default of its own (tests/policy/crd_test.cc).
struct ControlField {
  std::string_view name = {};
  std::string_view default_json = {};
};

struct Control {
  std::string_view id = {};        // rule id, e.g. "disallow-privileged"
  std::string_view key = {};       // field under spec.controls, e.g. "privileged"
  std::string_view severity = {};  // default severity
  bool enabled_by_default = true;
  bool skip_on_windows = false;  // controls.md: rules 2, 3 and 4 skip Windows pods
  std::string_view summary = {};
  // Fields besides enabled/severity/action that spec.controls.<key> may hold.
  std::span<const ControlField> fields = {};
  // Parses and validates this control's fields of `object` (an object; `path` names it),
  // adding every problem to `errors`. Validated whether or not the control is enabled.
  // `object` holds every field of `fields`: the absent ones with their defaults.
  std::shared_ptr<const ControlSettings> (*parse)(const nlohmann::json& object,
                                                  const std::string& path,
                                                  FieldErrors& errors) = nullptr;
  Finding (*check)(const PodSpec& pod, const ControlSettings& settings,
                   const EvalContext& context) = nullptr;
  // The same check as a CEL expression for the generated ValidatingAdmissionPolicy (cel.h), or
  // nullopt when CEL cannot express it exactly with these settings (the webhook judges then).
  // Null: never expressible. Node facts and owners are the generator's business, not this.
  std::optional<cel::CelCheck> (*cel)(const ControlSettings& settings) = nullptr;
  // What the Pod Security Standards ask of this control at each level, for a policy's
  // spec.podSecurityStandard: the control's settings as a JSON object (`{"enabled": true,
  // "allowUnset": true}`; fields left out take their registry defaults), or "" when the level
  // does not check what this control checks (the preset disables it). docs/controls.md "Pod
  // Security Standards".
  std::string_view pss_baseline = {};
  std::string_view pss_restricted = {};
  // The safe, mechanical change that makes a failing result pass (fix.h), given the finding
  // `check` returned, or a Fix saying why there is none. Null: the control has no such fix,
  // and `no_fix` says why (docs/controls.md "Fixes").
  Fix (*fix)(const PodSpec& pod, const ControlSettings& settings, const Finding& finding) = nullptr;
  std::string_view no_fix = {};
};

// The common shape of a per-container control: `problem(container)` returns what is wrong
// with one container ("" when nothing is); each problem becomes the violation
// `<container label>: <problem>` and names the container. Fails when any container has one.
template <typename Fn>
Finding CheckEachContainer(const PodSpec& pod, Fn&& problem) {
  Finding f;
  ForEachContainer(pod, [&](const Container& c) {
    std::string p = problem(c);
    if (p.empty()) return;
    f.violations.push_back(ContainerLabel(c) + ": " + p);
    f.containers.emplace_back(c.name);
  });
  if (!f.violations.empty()) f.outcome = Outcome::kFail;
  return f;
}

// Every registered control, in report order (operator/policy/CMakeLists.txt: CSP_CONTROLS).
std::span<const Control> AllControls();
const Control* FindControl(std::string_view id);

// spec.controls.<key> with every default filled in: enabled, severity and each field, as the
// engine reads a policy that leaves the control out (without a preset).
nlohmann::json ControlDefaults(const Control& control);

// For controls without settings of their own.
std::shared_ptr<const ControlSettings> ParseNoSettings(const nlohmann::json& object,
                                                       const std::string& path,
                                                       FieldErrors& errors);

}  // namespace csp::policy
