#include "csp/controllers/remediation_plan.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "csp/common/fnv1a.h"

namespace csp::controllers {

using json = nlohmann::json;
using policy::Action;

namespace {

// How a kind is taken out of service.
enum class Lever { kNone, kReplicas, kSuspend, kNodeSelector, kScaleSubresource };

// A built-in kind's lever; a custom kind (even one named as a built-in one, OpenKruise's
// StatefulSet.apps.kruise.io) has none of its own: RemediationInputs::scale_replicas.
Lever LeverOf(std::string_view group, std::string_view kind) {
  if (!policy::IsWorkloadKind(group, kind)) return Lever::kNone;
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
  std::optional<Revert> revert;  // the patch puts back a lever someone else put back

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
    // A workload first seen compliant gets its label without an Event: at start-up that is most
    // workloads of a cluster, and an Event each would double the writes and say nothing. One
    // that was labeled violating says so when it complies.
    if (label) b.Emit("Normal", "Labeled", std::string(names::kCompliantLabel) + "=true");
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
    if (from) b.revert = Revert{.path = {"spec", "replicas"}};
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
      if (from) b.revert = Revert{.path = {"spec", "suspend"}};
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
      if (from) {
        b.revert = Revert{.path = {"spec", "template", "spec", "nodeSelector",
                                   std::string(names::kQuarantineKey)}};
      }
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

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Hex(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 15];
  return out;
}

std::string KindOf(const json& object) {
  const json* k = Find(object, {"kind"});
  return k && k->is_string() ? k->get<std::string>() : std::string();
}

// A non-empty LabelSelector selecting the workload's pods, or null.
json PodSelectorOf(const json& object, std::string_view kind) {
  auto labels = [](const json* map) {
    return map && map->is_object() && !map->empty() ? json{{"matchLabels", *map}} : json();
  };
  if (kind == names::kPods.kind) return labels(Find(object, {"metadata", "labels"}));
  if (kind == names::kPodTemplates.kind) return json();  // runs nothing
  if (kind == names::kCronJobs.kind) {
    return labels(Find(object, {"spec", "jobTemplate", "spec", "template", "metadata", "labels"}));
  }
  const json* selector = Find(object, {"spec", "selector"});
  if (kind == names::kReplicationControllers.kind) {
    json s = labels(selector);  // a plain map
    return s.is_null() ? labels(Find(object, {"spec", "template", "metadata", "labels"})) : s;
  }
  if (!selector || !selector->is_object()) return json();
  json out = json::object();
  for (const char* key : {"matchLabels", "matchExpressions"}) {
    auto it = selector->find(key);
    if (it != selector->end() && !it->empty()) out[key] = *it;
  }
  // An empty podSelector selects every pod of the namespace: never ours to write.
  return out.empty() ? json() : out;
}

json IsolationPolicy(const json& object, const std::string& name, const json& selector) {
  const json* meta = Find(object, {"metadata"});
  auto field = [&](const char* key) {
    const json* v = meta ? Find(*meta, {key}) : nullptr;
    return v && v->is_string() ? v->get<std::string>() : std::string();
  };
  const json* api_version = Find(object, {"apiVersion"});
  json owner = {{"apiVersion", api_version && api_version->is_string() ? *api_version : json("")},
                {"kind", KindOf(object)},
                {"name", field("name")},
                {"uid", field("uid")}};
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata",
           {{"name", name},
            {"namespace", field("namespace")},
            {"labels", {{std::string(names::kManagedByLabel), names::kManagedByOperator}}},
            {"ownerReferences", json::array({owner})}}},
          {"spec", {{"podSelector", selector}, {"policyTypes", {"Ingress", "Egress"}}}}};
}

// Isolate: returns the remediation in effect ("" when none).
std::string PlanIsolation(const json& object, bool isolate, RemediationPlan& plan, Builder& b) {
  const std::optional<std::string> have =
      StringAt(Find(object, {"metadata", "annotations"}), names::kIsolatedAnnotation);
  const std::string kind = KindOf(object);
  const json selector = isolate ? PodSelectorOf(object, kind) : json();
  if (!selector.is_null()) {
    const json* name = Find(object, {"metadata", "name"});
    const std::string np =
        IsolationPolicyName(kind, name && name->is_string() ? name->get<std::string>() : "");
    plan.isolation = Isolation::kEnsure;
    plan.network_policy_name = np;
    plan.network_policy = IsolationPolicy(object, np, selector);
    if (have != np) {
      b.Annotate(names::kIsolatedAnnotation, np);
      b.Emit("Warning", "Isolated", "NetworkPolicy " + np + " denies all ingress and egress");
    }
    return "isolated by NetworkPolicy " + np;
  }
  if (have) {
    plan.isolation = Isolation::kRelease;
    plan.network_policy_name = *have;
    b.Annotate(names::kIsolatedAnnotation, json());
    b.Emit("Normal", "Released", "deleted NetworkPolicy " + *have);
  }
  return isolate ? "labeled (cannot isolate: no pod selector)" : "";
}

// spec.remediation.suspendFlux: Flux's reconcile switch while scaled down.
void PlanFluxSuspend(const json& object, bool want, Builder& b) {
  const json* annotations = Find(object, {"metadata", "annotations"});
  const bool ours = StringAt(annotations, names::kFluxReconcileDisabledAnnotation).has_value();
  const bool disabled = StringAt(annotations, names::kFluxReconcileAnnotation) == "disabled";
  if (want && !ours && !disabled) {
    b.Annotate(names::kFluxReconcileAnnotation, "disabled");
    b.Annotate(names::kFluxReconcileDisabledAnnotation, "true");
    b.Emit("Normal", "FluxReconcileDisabled",
           std::string(names::kFluxReconcileAnnotation) + "=disabled while scaled down");
  } else if (!want && ours) {
    b.Annotate(names::kFluxReconcileAnnotation, json());
    b.Annotate(names::kFluxReconcileDisabledAnnotation, json());
    b.Emit("Normal", "FluxReconcileRestored",
           "removed " + std::string(names::kFluxReconcileAnnotation));
  }
}

// The stop record: "<pod template hash> <field manager>".
struct StopRecord {
  std::string hash;
  std::string manager;
};

std::optional<StopRecord> ReadStopRecord(const json& object) {
  const std::optional<std::string> text =
      StringAt(Find(object, {"metadata", "annotations"}), names::kRemediationRevertedAnnotation);
  if (!text) return std::nullopt;
  const std::size_t space = text->find(' ');
  if (space == std::string::npos) return StopRecord{.hash = *text, .manager = "unknown"};
  return StopRecord{.hash = text->substr(0, space), .manager = text->substr(space + 1)};
}

}  // namespace

std::string IsolationPolicyName(std::string_view kind, std::string_view name) {
  std::string out = "csp-isolate-" + Lower(kind) + "-" + std::string(name);
  constexpr std::size_t kMax = 253;
  if (out.size() <= kMax) return out;
  const std::string suffix = "-" + Hex(Fnv1a64(out));
  out.resize(kMax - suffix.size());
  return out + suffix;
}

std::string PodTemplateHash(const json& object) {
  const std::string kind = KindOf(object);
  const json* at = kind == names::kPods.kind ? Find(object, {"spec"})
                   : kind == names::kCronJobs.kind
                       ? Find(object, {"spec", "jobTemplate", "spec", "template"})
                   : kind == names::kPodTemplates.kind ? Find(object, {"template"})
                                                       : Find(object, {"spec", "template"});
  json pods = at ? *at : json();
  // Only a DaemonSet is quarantined; an empty selector left behind hashes as none at all.
  if (pods.is_object() && pods.contains("spec") && pods["spec"].is_object() &&
      pods["spec"].contains("nodeSelector") && pods["spec"]["nodeSelector"].is_object()) {
    json& selector = pods["spec"]["nodeSelector"];
    selector.erase(std::string(names::kQuarantineKey));
    if (selector.empty()) pods["spec"].erase("nodeSelector");
  }
  return Hex(Fnv1a64(pods.dump()));
}

RemediationPlan PlanRemediation(const json& object, std::span<const Evaluation> evaluations,
                                const RemediationInputs& inputs) {
  RemediationPlan plan;
  bool managed = false;
  bool suspend_flux = false;
  std::set<std::string> violations;
  for (const Evaluation& e : evaluations) {
    if (!e.policy) continue;
    for (const policy::RuleResult& r : e.results) {
      const Action action = EffectiveAction(*e.policy, r);
      if (action == Action::kAudit) continue;
      if (!r.config || r.config->enabled) managed = true;
      if (r.outcome != policy::Outcome::kFail) continue;
      violations.emplace(r.rule);
      plan.action = std::max(plan.action, action);  // enum order: the stronger, the greater
      if (action == Action::kScaleDown && e.policy->remediation.suspend_flux) suspend_flux = true;
    }
  }
  plan.violations.assign(violations.begin(), violations.end());
  plan.managed_by = GitOpsOwner(object, inputs.argocd_instance_label);

  Builder b;
  // Reverts: a stop to record now, or one recorded for this very pod template.
  const std::optional<StopRecord> record = ReadStopRecord(object);
  if (!plan.violations.empty() && (inputs.stop || record)) {
    const std::string hash = PodTemplateHash(object);
    if (inputs.stop) {
      plan.reverted_by = inputs.stop->manager;
      b.Annotate(names::kRemediationRevertedAnnotation, hash + " " + inputs.stop->manager);
      std::string field;
      for (const std::string& p : inputs.stop->path) field += (field.empty() ? "" : ".") + p;
      b.Emit("Warning", "RemediationReverted",
             inputs.stop->manager + " put " + field +
                 " back again: not re-applied until the pod template changes");
    } else if (record->hash == hash && !plan.managed_by.empty()) {
      // Only a GitOps-managed workload's record holds: a workload owner writing the
      // annotation on a workload of their own must not switch remediation off.
      plan.reverted_by = record->manager;
    }
    if (!plan.reverted_by.empty()) {
      plan.remediation = "reverted by " + plan.reverted_by;
      if (!b.patch.empty()) plan.patch = std::move(b.patch);
      plan.events = std::move(b.events);
      return plan;
    }
  }
  if (record) {
    b.Annotate(names::kRemediationRevertedAnnotation, json());
    b.Emit("Normal", "RemediationResumed",
           plan.violations.empty() ? "complies; the revert record is cleared"
                                   : "the pod template changed; remediation applies again");
  }

  PlanLabels(object, managed, plan.violations, b);
  const bool down = plan.action == Action::kScaleDown;
  const std::optional<std::string> from =
      StringAt(Find(object, {"metadata", "annotations"}), names::kScaledDownFromAnnotation);
  const json* api_version = Find(object, {"apiVersion"});
  const Lever lever =
      inputs.scale_replicas
          ? Lever::kScaleSubresource
          : LeverOf(policy::ApiGroup(api_version && api_version->is_string()
                                         ? api_version->get_ref<const std::string&>()
                                         : std::string()),
                    KindOf(object));
  std::string taken;
  switch (lever) {
    case Lever::kReplicas:
      taken = PlanReplicas(object, down, from, b);
      break;
    case Lever::kScaleSubresource: {
      // The count /scale reads, planned as a Deployment's; the write goes to /scale, the
      // record (annotation) to the object.
      taken = PlanReplicas(json{{"spec", {{"replicas", *inputs.scale_replicas}}}}, down, from, b);
      if (auto spec = b.patch.find("spec"); spec != b.patch.end()) {
        plan.scale_to = (*spec)["replicas"].get<std::int64_t>();
        b.patch.erase(spec);
      }
      break;
    }
    case Lever::kSuspend:
      taken = PlanSuspend(object, down, from, b);
      break;
    case Lever::kNodeSelector:
      taken = PlanNodeSelector(object, down, from, b);
      break;
    case Lever::kNone:
      break;
  }
  PlanFluxSuspend(object,
                  down && suspend_flux && lever != Lever::kNone &&
                      plan.managed_by.starts_with("flux-kustomization/"),
                  b);
  const std::string isolated = PlanIsolation(object, plan.action == Action::kIsolate, plan, b);
  if (!isolated.empty()) taken = isolated;
  if (!plan.violations.empty()) plan.remediation = taken.empty() ? "labeled" : taken;
  if (!b.patch.empty()) plan.patch = std::move(b.patch);
  plan.events = std::move(b.events);
  plan.revert = std::move(b.revert);
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
    if (plan && !plan->managed_by.empty()) pe.entry.properties["managedBy"] = plan->managed_by;
    if (plan && !plan->remediation.empty() && r.outcome == policy::Outcome::kFail &&
        EffectiveAction(*evaluation.policy, r) != Action::kAudit) {
      pe.entry.properties["remediation"] = plan->remediation;
    }
    out.push_back(std::move(pe));
  }
  return out;
}

}  // namespace csp::controllers
