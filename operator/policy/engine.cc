#include "csp/policy/engine.h"

#include <algorithm>

#include "csp/policy/pod_spec_parser.h"
#include "csp/policy/text.h"

namespace csp::policy {
namespace {

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view text) {
  return patterns.empty() || std::any_of(patterns.begin(), patterns.end(),
                                         [&](const std::string& p) { return GlobMatch(p, text); });
}

bool Contains(const std::vector<std::string>& values, std::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

std::string JoinViolations(const std::vector<std::string>& violations) {
  std::string out;
  for (const std::string& v : violations) {
    if (!out.empty()) out += "; ";
    out += v;
  }
  return out;
}

// The object a fix's patch is written against: its view (null: the object is unknown) and where
// its pod spec is.
struct FixTarget {
  const ObjectView* object = nullptr;
  std::string_view pod_spec_path = {};
};

// Sets a failing result's patch and its `fix` (and `patch`) properties (fix.h). False when the
// fix has edits and the target's view cannot tell what the patch needs.
bool AttachFix(const Control& control, const PodSpec& pod, const ControlSettings& settings,
               const Finding& finding, const FixTarget& target, RuleResult& r) {
  auto none = [&](std::string_view reason) {
    r.properties[std::string(kFixProperty)] = "none (" + std::string(reason) + ")";
    return true;
  };
  if (control.fix == nullptr) return none(control.no_fix);
  Fix fix = control.fix(pod, settings, finding);
  if (fix.edits.empty()) return none(fix.none.empty() ? "no safe change" : fix.none);
  std::optional<std::string> tmpl = TemplatePointer(target.pod_spec_path);
  if (!tmpl || target.object == nullptr) return none("the pod template's place is unknown");
  std::optional<nlohmann::json> patch = ToJsonPatch(*target.object, *tmpl, fix.edits);
  if (!patch) return false;
  r.patch = std::move(*patch);
  if (r.patch.empty()) {  // the edits ask for what is already there
    r.patch = nullptr;
    return none("no safe change");
  }
  std::string text = r.patch.dump();
  if (text.size() > kMaxPatchPropertyBytes) {
    r.properties[std::string(kFixProperty)] =
        "patch omitted (" + std::to_string(text.size()) + " bytes, over the " +
        std::to_string(kMaxPatchPropertyBytes) + "-byte bound)";
    return true;
  }
  r.properties[std::string(kFixProperty)] = std::string(kFixPatch);
  r.properties[std::string(kPatchProperty)] = std::move(text);
  return true;
}

// Every control of `policy` on `pod`; nullopt when the target's view cannot tell what a fix's
// patch needs (AttachFix).
std::optional<std::vector<RuleResult>> EvaluatePod(const Policy& policy, const WorkloadRef& ref,
                                                   const PodSpec& pod, const EvalContext& context,
                                                   const FixTarget& target);

}  // namespace

bool Matches(const Policy& policy, const WorkloadRef& workload, const Labels& workload_labels,
             const Labels* namespace_labels) {
  const Match& m = policy.match;
  if (!m.kinds.empty() && !Contains(m.kinds, KindForMatch(workload))) return false;
  if (Contains(m.exclude_namespaces, workload.ns)) return false;
  if (m.namespace_selector) {
    static const Labels kNone;
    if (!m.namespace_selector->Matches(namespace_labels ? *namespace_labels : kNone)) return false;
  }
  return !m.workload_selector || m.workload_selector->Matches(workload_labels);
}

bool Matches(const Policy& policy, const Workload& workload, const Labels* namespace_labels) {
  return Matches(policy, workload.ref, LabelsFromJson(workload.labels), namespace_labels);
}

std::optional<std::size_t> FindExemption(const Policy& policy, const WorkloadRef& workload,
                                         std::string_view rule, std::chrono::sys_seconds now) {
  for (std::size_t i = 0; i < policy.exemptions.size(); ++i) {
    const Exemption& e = policy.exemptions[i];
    if (e.expires && now > *e.expires) continue;  // it still applies at `expires`
    if (!e.rules.empty() && !Contains(e.rules, rule)) continue;
    if (!e.kinds.empty() && !Contains(e.kinds, KindForMatch(workload))) continue;
    if (!AnyGlob(e.namespaces, workload.ns) || !AnyGlob(e.names, workload.name)) continue;
    return i;
  }
  return std::nullopt;
}

Result<std::vector<RuleResult>> Evaluate(const Policy& policy, const Workload& workload,
                                         const EvalContext& context) {
  CSP_TRY(PodSpec pod,
          ParsePodSpec(*workload.pod_spec, workload.pod_spec_path, workload.annotations));
  const JsonObjectView object(workload.object);
  const FixTarget target{.object = workload.object != nullptr ? &object : nullptr,
                         .pod_spec_path = workload.pod_spec_path};
  return *EvaluatePod(policy, workload.ref, pod, context, target);  // a tree tells all
}

std::optional<std::vector<RuleResult>> EvaluateWithObjectView(
    const Policy& policy, const WorkloadRef& workload, const PodSpec& pod,
    std::string_view pod_spec_path, const ObjectView& object, const EvalContext& context) {
  return EvaluatePod(policy, workload, pod, context,
                     FixTarget{.object = &object, .pod_spec_path = pod_spec_path});
}

namespace {

std::optional<std::vector<RuleResult>> EvaluatePod(const Policy& policy,
                                                   const WorkloadRef& workload, const PodSpec& pod,
                                                   const EvalContext& context,
                                                   const FixTarget& target) {
  const bool windows = pod.os_name == "windows";
  std::vector<RuleResult> results;
  results.reserve(policy.controls.size());
  for (const ControlConfig& cfg : policy.controls) {
    RuleResult& r = results.emplace_back();
    r.rule = cfg.control->id;
    r.severity = cfg.severity;
    r.config = &cfg;
    if (!cfg.enabled) {
      r.outcome = Outcome::kSkip;
      r.message = "control disabled by the policy";
      continue;
    }
    if (auto ex = FindExemption(policy, workload, r.rule, context.now)) {
      r.outcome = Outcome::kSkip;
      r.exemption = ex;
      r.message = "exempted by spec.exemptions[" + std::to_string(*ex) +
                  "]: " + policy.exemptions[*ex].reason;
      continue;
    }
    if (windows && cfg.control->skip_on_windows) {
      r.outcome = Outcome::kSkip;
      r.message = "not applicable to Windows pods";
      continue;
    }
    Finding f = cfg.control->check(pod, *cfg.settings, context);
    if (f.outcome == Outcome::kFail && !AttachFix(*cfg.control, pod, *cfg.settings, f, target, r)) {
      return std::nullopt;
    }
    r.outcome = f.outcome;
    r.containers = std::move(f.containers);
    r.nodes = std::move(f.nodes);
    r.properties.merge(f.properties);
    switch (f.outcome) {
      case Outcome::kPass:
        break;  // a pass needs no message: the rule id says what held (keeps reports small)
      case Outcome::kFail:
        r.message = JoinViolations(f.violations);
        break;
      case Outcome::kSkip:
      case Outcome::kError:
        r.message = f.violations.empty() ? f.note : JoinViolations(f.violations);
        break;
    }
  }
  return results;
}

}  // namespace
}  // namespace csp::policy
