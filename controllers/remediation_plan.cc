#include "csp/controllers/remediation_plan.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace csp::controllers {

using json = nlohmann::json;
using policy::Action;

namespace {

// How a kind is taken out of service.
enum class Lever { kNone, kReplicas, kSuspend, kNodeSelector };

Lever LeverOf(std::string_view kind) {
  if (kind == names::kDeployments.kind || kind == names::kStatefulSets.kind ||
      kind == names::kReplicaSets.kind || kind == names::kReplicationControllers.kind) {
    return Lever::kReplicas;
  }
  if (kind == names::kJobs.kind || kind == names::kCronJobs.kind) return Lever::kSuspend;
  if (kind == names::kDaemonSets.kind) return Lever::kNodeSelector;
  return Lever::kNone;  // a Pod (or anything else) is labeled only
}

const json* Find(const json& object, std::initializer_list<const char*> path) {
  const json* at = &object;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

std::optional<std::string> StringAt(const json* map, std::string_view key) {
  if (!map || !map->is_object()) return std::nullopt;
  auto it = map->find(key);
  if (it == map->end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::int64_t> ParseCount(std::string_view text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator = ",") {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

// The merge patch under construction and the events that go with it.
struct Builder {
  json patch = json::object();
  std::vector<Event> events;

  void Set(std::initializer_list<const char*> path, std::string_view key, json value) {
    json* at = &patch;
    for (const char* p : path) at = &(*at)[p];
    (*at)[std::string(key)] = std::move(value);
  }
  void Annotate(std::string_view key, json value) {
    Set({"metadata", "annotations"}, key, std::move(value));
  }
  void Emit(std::string type, std::string reason, std::string message) {
    events.push_back({std::move(type), std::move(reason), std::move(message)});
  }
};

// Labels and the violations annotation: desired from `managed` and the violations only.
void PlanLabels(const json& object, bool managed, const std::vector<std::string>& violations,
                Builder& b) {
  const std::optional<std::string> label =
      StringAt(Find(object, {"metadata", "labels"}), names::kCompliantLabel);
  const std::optional<std::string> annotation =
      StringAt(Find(object, {"metadata", "annotations"}), names::kViolationsAnnotation);
  std::optional<std::string> want_label, want_annotation;
  if (managed) want_label = violations.empty() ? "true" : "false";
  if (managed && !violations.empty()) want_annotation = Join(violations);
  if (label == want_label && annotation == want_annotation) return;
  if (label != want_label) {
    b.Set({"metadata", "labels"}, names::kCompliantLabel, want_label ? json(*want_label) : json());
  }
  if (annotation != want_annotation) {
    b.Annotate(names::kViolationsAnnotation, want_annotation ? json(*want_annotation) : json());
  }
  if (!want_label) {
    b.Emit("Normal", "Unlabeled", "no policy asks to label this workload any more");
  } else if (violations.empty()) {
    b.Emit("Normal", "Labeled", std::string(names::kCompliantLabel) + "=true");
  } else {
    b.Emit("Warning", "Labeled",
           std::string(names::kCompliantLabel) + "=false: violates " + *want_annotation);
  }
}

// Replicas: returns the remediation in effect after the patch ("" when none).
std::string PlanReplicas(const json& object, bool down, const std::optional<std::string>& from,
                         Builder& b) {
  const json* field = Find(object, {"spec", "replicas"});
  // The API server defaults replicas to 1.
  const std::int64_t replicas =
      field && field->is_number_integer() ? field->get<std::int64_t>() : 1;
  if (down) {
    if (!from && replicas == 0) return "labeled (already at 0 replicas)";
    if (replicas == 0) return "scaled-down from " + *from + " replicas";
    // Ours to scale: first time, or someone scaled it up while it still violates (then that
    // value is the one to restore, so the restore never goes above what the user last set).
    const std::string previous = std::to_string(replicas);
    b.Set({"spec"}, "replicas", 0);
    if (from != previous) b.Annotate(names::kScaledDownFromAnnotation, previous);
    b.Emit("Warning", "ScaledDown", "scaled down from " + previous + " replicas");
    return "scaled-down from " + previous + " replicas";
  }
  if (!from) return "";
  b.Annotate(names::kScaledDownFromAnnotation, json());
  std::optional<std::int64_t> previous = ParseCount(*from);
  if (replicas == 0 && previous) {
    b.Set({"spec"}, "replicas", *previous);
    b.Emit("Normal", "Restored", "restored " + *from + " replicas");
  } else {
    b.Emit("Normal", "Restored",
           "left replicas at " + std::to_string(replicas) +
               " as set meanwhile (recorded: " + *from + ")");
  }
  return "";
}

// Job/CronJob suspend.
std::string PlanSuspend(const json& object, bool down, const std::optional<std::string>& from,
                        Builder& b) {
  const json* field = Find(object, {"spec", "suspend"});
  const bool suspended = field && field->is_boolean() && field->get<bool>();
  if (down) {
    if (!from && suspended) return "labeled (already suspended)";
    if (!suspended) {
      b.Set({"spec"}, "suspend", true);
      if (!from) b.Annotate(names::kScaledDownFromAnnotation, "false");
      b.Emit("Warning", "ScaledDown", "suspended");
    }
    return "suspended";
  }
  if (!from) return "";
  b.Annotate(names::kScaledDownFromAnnotation, json());
  if (suspended) {
    // We only ever record "false": a suspended workload is never ours to suspend.
    b.Set({"spec"}, "suspend", *from == "true");
    b.Emit("Normal", "Restored", "resumed");
  } else {
    b.Emit("Normal", "Restored", "already resumed");
  }
  return "";
}

// Keys of `current` and `recorded` whose values differ, in key order.
std::string KeysChanged(const json& recorded, const json& current) {
  std::set<std::string> keys;
  for (const auto& [key, value] : recorded.items()) {
    if (!current.contains(key) || current[key] != value) keys.insert(key);
  }
  for (const auto& [key, value] : current.items()) {
    if (!recorded.contains(key)) keys.insert(key);
  }
  return Join(std::vector<std::string>(keys.begin(), keys.end()), ", ");
}

// DaemonSet: our key added to spec.template.spec.nodeSelector; the selector before it is
// recorded (without our key). The quarantine adds our key and nothing else, so every key the
// user did not touch meanwhile still holds its recorded value: the restore removes our key and
// leaves the rest as the user has it now (a key added, changed or removed since stays so). The
// record only names, in the Event, the keys the user changed.
std::string PlanNodeSelector(const json& object, bool down, const std::optional<std::string>& from,
                             Builder& b) {
  const json* selector = Find(object, {"spec", "template", "spec", "nodeSelector"});
  json current = selector && selector->is_object() ? *selector : json::object();
  const bool quarantined = current.contains(names::kQuarantineKey);
  const std::string kDescription =
      "quarantined by nodeSelector " + std::string(names::kQuarantineKey) + "=true";
  if (down) {
    if (!quarantined) {
      b.Set({"spec", "template", "spec", "nodeSelector"}, names::kQuarantineKey, "true");
      b.Emit("Warning", "ScaledDown", kDescription);
    }
    if (!from) {
      json original = current;
      original.erase(std::string(names::kQuarantineKey));
      b.Annotate(names::kScaledDownFromAnnotation, original.dump());
    }
    return kDescription;
  }
  if (!from) return "";
  b.Annotate(names::kScaledDownFromAnnotation, json());
  if (!quarantined) {
    b.Emit("Normal", "Restored", "nodeSelector already changed meanwhile; left as it is");
    return "";
  }
  b.Set({"spec", "template", "spec", "nodeSelector"}, names::kQuarantineKey, json());
  current.erase(std::string(names::kQuarantineKey));
  const json recorded = json::parse(*from, nullptr, /*allow_exceptions=*/false);
  const std::string changed = recorded.is_object() ? KeysChanged(recorded, current) : "";
  b.Emit("Normal", "Restored",
         "removed nodeSelector " + std::string(names::kQuarantineKey) +
             (changed.empty() ? "" : "; kept the keys changed meanwhile as they are: " + changed));
  return "";
}

}  // namespace

RemediationPlan PlanRemediation(const json& object, std::span<const Evaluation> evaluations) {
  RemediationPlan plan;
  bool managed = false;
  std::set<std::string> violations;
  for (const Evaluation& e : evaluations) {
    if (!e.policy) continue;
    for (const policy::RuleResult& r : e.results) {
      const Action action = EffectiveAction(*e.policy, r);
      if (action == Action::kAudit) continue;
      if (!r.config || r.config->enabled) managed = true;
      if (r.outcome != policy::Outcome::kFail) continue;
      violations.emplace(r.rule);
      plan.action = std::max(plan.action, action);  // enum order: Audit < Label < ScaleDown
    }
  }
  plan.violations.assign(violations.begin(), violations.end());

  Builder b;
  PlanLabels(object, managed, plan.violations, b);
  const bool down = plan.action == Action::kScaleDown;
  const std::optional<std::string> from =
      StringAt(Find(object, {"metadata", "annotations"}), names::kScaledDownFromAnnotation);
  const std::string kind = [&] {
    const json* k = Find(object, {"kind"});
    return k && k->is_string() ? k->get<std::string>() : std::string();
  }();
  std::string taken;
  switch (LeverOf(kind)) {
    case Lever::kReplicas:
      taken = PlanReplicas(object, down, from, b);
      break;
    case Lever::kSuspend:
      taken = PlanSuspend(object, down, from, b);
      break;
    case Lever::kNodeSelector:
      taken = PlanNodeSelector(object, down, from, b);
      break;
    case Lever::kNone:
      break;
  }
  if (!plan.violations.empty()) plan.remediation = taken.empty() ? "labeled" : taken;
  if (!b.patch.empty()) plan.patch = std::move(b.patch);
  plan.events = std::move(b.events);
  return plan;
}

nlohmann::json PatchToSend(const RemediationPlan& plan, std::string_view resource_version) {
  nlohmann::json patch = plan.patch.value_or(nlohmann::json::object());
  if (patch.contains("spec") && !resource_version.empty()) {
    patch["metadata"]["resourceVersion"] = std::string(resource_version);
  }
  return patch;
}

std::vector<PolicyEntry> ToEntries(const Evaluation& evaluation, const RemediationPlan* plan) {
  std::vector<PolicyEntry> out;
  if (!evaluation.policy) return out;
  out.reserve(evaluation.results.size());
  for (const policy::RuleResult& r : evaluation.results) {
    PolicyEntry pe{.policy = evaluation.policy->name,
                   .entry = report::MakeEntry(evaluation.workload, r, {})};
    if (plan && !plan->remediation.empty() && r.outcome == policy::Outcome::kFail &&
        EffectiveAction(*evaluation.policy, r) != Action::kAudit) {
      pe.entry.properties["remediation"] = plan->remediation;
    }
    out.push_back(std::move(pe));
  }
  return out;
}

}  // namespace csp::controllers
