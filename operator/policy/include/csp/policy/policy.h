// A parsed, validated ContainerSecurityPolicy (api.md) with every default applied.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/policy/control.h"
#include "csp/policy/label_selector.h"

namespace csp::policy {

// In order of strength: of several that apply to one workload, the greatest wins.
enum class Action { kAudit, kLabel, kIsolate, kScaleDown };
enum class Admission { kNone, kWarn, kDeny };
// Who judges at admission (docs/admission.md): the operator's webhook, or a generated
// ValidatingAdmissionPolicy for the rules CEL expresses exactly (the webhook keeps the rest).
enum class AdmissionMode { kWebhook, kValidatingAdmissionPolicy };
std::string_view ActionName(Action a);
// spec.podSecurityStandard: a preset of every control at a Pod Security Standards level.
enum class PssLevel { kBaseline, kRestricted };
std::string_view PssLevelName(PssLevel level);  // "baseline", "restricted"

struct Match {
  std::optional<LabelSelector> namespace_selector = {};
  std::vector<std::string> exclude_namespaces = {};
  std::optional<LabelSelector> workload_selector = {};
  std::vector<std::string> kinds = {};  // empty: every workload kind
};

// One entry of spec.controls, in the order of AllControls().
struct ControlConfig {
  const Control* control = nullptr;
  bool enabled = true;
  std::string severity = {};
  std::optional<Action> action = {};  // per-control override of spec.action
  std::shared_ptr<const ControlSettings> settings = {};
};

struct Exemption {
  std::vector<std::string> rules = {};       // empty: every rule
  std::vector<std::string> namespaces = {};  // `*` globs; empty: any
  std::vector<std::string> kinds = {};       // exact; empty: any
  std::vector<std::string> names = {};       // `*` globs; empty: any
  std::string reason = {};
  std::optional<std::chrono::sys_seconds> expires = {};
};

// spec.remediation: how the actions behave around GitOps controllers (docs/remediation.md).
struct Remediation {
  // While ScaleDown holds a workload that Flux's kustomize-controller applies, set its
  // kustomize.toolkit.fluxcd.io/reconcile: disabled (removed again on restore).
  bool suspend_flux = false;
};

struct Policy {
  std::string name = {};
  std::string uid = {};
  std::int64_t generation = 0;
  Match match = {};
  Action action = Action::kAudit;
  Remediation remediation = {};
  Admission admission = Admission::kNone;
  AdmissionMode admission_mode = AdmissionMode::kWebhook;
  std::vector<ControlConfig> controls = {};
  std::vector<Exemption> exemptions = {};
  // The preset the controls start from (Control::pss_baseline/pss_restricted); the policy's own
  // control fields override it, field by field.
  std::optional<PssLevel> pod_security_standard = {};
  // Where the policy's own control fields depart from the preset, one line each in registry
  // order: `require-seccomp: allowUnset is false (baseline: true)`. Empty without a preset.
  std::vector<std::string> pss_deviations = {};
};

// Parses a ContainerSecurityPolicy object. On failure the error is InvalidArgument and its
// message lists every invalid field, one `path: problem` per line.
Result<Policy> ParsePolicy(const nlohmann::json& object);

// The default policy of controls.md: every control with its defaults; 8 disabled.
Policy DefaultPolicy();

}  // namespace csp::policy
