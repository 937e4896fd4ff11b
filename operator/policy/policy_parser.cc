#include <algorithm>
#include <array>

#include "csp/names/names.h"
#include "csp/policy/policy.h"
#include "csp/policy/text.h"
#include "csp/policy/workload_kind.h"

namespace csp::policy {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 5> kSeverities = {"critical", "high", "medium", "low",
                                                         "info"};

std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

template <std::size_t N>
std::string OneOf(const std::array<std::string_view, N>& values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::optional<Action> ParseAction(const json& v, const std::string& path, FieldErrors& errors) {
  if (!ExpectType(v, json::value_t::string, path, errors)) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (s == "Audit") return Action::kAudit;
  if (s == "Label") return Action::kLabel;
  if (s == "Isolate") return Action::kIsolate;
  if (s == "ScaleDown") return Action::kScaleDown;
  errors.Add(path, Quoted(s) + " is not one of Audit, Label, Isolate, ScaleDown");
  return std::nullopt;
}

void ParseRemediation(const json& v, FieldErrors& errors, Remediation& out) {
  const std::string path = "spec.remediation";
  if (!ExpectType(v, json::value_t::object, path, errors)) return;
  static constexpr std::array<std::string_view, 1> kFields = {"suspendFlux"};
  RejectUnknownFields(v, kFields, path, errors);
  if (const json* f = GetField(v, "suspendFlux")) {
    if (ExpectType(*f, json::value_t::boolean, path + ".suspendFlux", errors)) {
      out.suspend_flux = f->get<bool>();
    }
  }
}

// A built-in workload kind, or a custom one qualified by its group (api.md "WorkloadKind").
void CheckKinds(const std::vector<std::string>& kinds, const std::string& path,
                FieldErrors& errors) {
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (std::ranges::find(names::kWorkloadKinds, kinds[i]) != names::kWorkloadKinds.end() ||
        IsQualifiedKindName(kinds[i])) {
      continue;
    }
    errors.Add(path + "[" + std::to_string(i) + "]",
               Quoted(kinds[i]) + " is not one of " + OneOf(names::kWorkloadKinds) +
                   ", nor a custom kind with its group (Rollout.argoproj.io)");
  }
}

void ParseMatch(const json& v, FieldErrors& errors, Match& match) {
  const std::string path = "spec.match";
  if (!ExpectType(v, json::value_t::object, path, errors)) return;
  static constexpr std::array<std::string_view, 4> kFields = {
      "namespaceSelector", "excludeNamespaces", "workloadSelector", "kinds"};
  RejectUnknownFields(v, kFields, path, errors);
  if (const json* s = GetField(v, "namespaceSelector")) {
    match.namespace_selector = ParseLabelSelector(*s, path + ".namespaceSelector", errors);
  }
  if (const json* s = GetField(v, "workloadSelector")) {
    match.workload_selector = ParseLabelSelector(*s, path + ".workloadSelector", errors);
  }
  if (const json* s = GetField(v, "excludeNamespaces")) {
    ReadStringList(*s, path + ".excludeNamespaces", errors, match.exclude_namespaces);
  }
  if (const json* s = GetField(v, "kinds")) {
    ReadStringList(*s, path + ".kinds", errors, match.kinds);
    CheckKinds(match.kinds, path + ".kinds", errors);
  }
}

std::vector<std::string_view> KnownFields(const Control& control) {
  std::vector<std::string_view> known = {"enabled", "severity", "action"};
  for (const ControlField& f : control.fields) known.push_back(f.name);
  return known;
}

// What a preset level asks of `control`: its pss string parsed, or disabled when the level does
// not check what the control checks.
json PresetSettings(const Control& control, PssLevel level) {
  const std::string_view text =
      level == PssLevel::kBaseline ? control.pss_baseline : control.pss_restricted;
  return text.empty() ? json{{"enabled", false}} : json::parse(text);
}

// The policy's own fields of `control` that differ from what the preset gives (its value,
// else the registry default), each as a deviation line.
void AddDeviations(const Control& control, const json& own, const json& preset, PssLevel level,
                   std::vector<std::string>& out) {
  const json defaults = ControlDefaults(control);
  for (auto it = own.begin(); it != own.end(); ++it) {
    if (it.key() == "severity" || it.key() == "action") continue;  // not PSS semantics
    const json* want = GetField(preset, it.key());
    if (want == nullptr) want = GetField(defaults, it.key());
    if (want == nullptr || *want == *it) continue;
    const bool disabled_by_level = it.key() == "enabled" && !want->get<bool>();
    out.push_back(std::string(control.id) + ": " + it.key() + " is " + it->dump() + " (" +
                  std::string(PssLevelName(level)) + ": " +
                  (disabled_by_level ? std::string("not checked") : want->dump()) + ")");
  }
}

ControlConfig ParseControl(const Control& control, const json* v, std::optional<PssLevel> level,
                           FieldErrors& errors, std::vector<std::string>& deviations) {
  const std::string path = "spec.controls." + std::string(control.key);
  ControlConfig cfg{.control = &control,
                    .enabled = control.enabled_by_default,
                    .severity = std::string(control.severity)};
  static const json kEmpty = json::object();
  const json& own = v != nullptr && v->is_object() ? *v : kEmpty;
  if (v != nullptr) ExpectType(*v, json::value_t::object, path, errors);
  RejectUnknownFields(own, KnownFields(control), path, errors);
  // The preset first, then the policy's own fields over it.
  json merged;
  if (level) {
    const json preset = PresetSettings(control, *level);
    AddDeviations(control, own, preset, *level, deviations);
    merged = preset;
    for (auto it = own.begin(); it != own.end(); ++it) merged[it.key()] = *it;
  }
  const json& obj = level ? merged : own;

  json with_defaults = obj;
  for (const ControlField& f : control.fields) {
    if (GetField(obj, f.name) == nullptr)
      with_defaults[std::string(f.name)] = json::parse(f.default_json);
  }
  if (const json* e = GetField(obj, "enabled")) {
    if (ExpectType(*e, json::value_t::boolean, path + ".enabled", errors))
      cfg.enabled = e->get<bool>();
  }
  if (const json* s = GetField(obj, "severity")) {
    if (ExpectType(*s, json::value_t::string, path + ".severity", errors)) {
      const auto& sev = s->get_ref<const std::string&>();
      if (std::find(kSeverities.begin(), kSeverities.end(), sev) == kSeverities.end()) {
        errors.Add(path + ".severity", Quoted(sev) + " is not one of " + OneOf(kSeverities));
      } else {
        cfg.severity = sev;
      }
    }
  }
  if (const json* a = GetField(obj, "action"))
    cfg.action = ParseAction(*a, path + ".action", errors);
  cfg.settings = control.parse(with_defaults, path, errors);
  return cfg;
}

void ParseControls(const json* v, std::optional<PssLevel> level, FieldErrors& errors,
                   std::vector<ControlConfig>& out, std::vector<std::string>& deviations) {
  const std::string path = "spec.controls";
  if (v != nullptr && ExpectType(*v, json::value_t::object, path, errors)) {
    for (auto it = v->begin(); it != v->end(); ++it) {
      bool known = std::any_of(AllControls().begin(), AllControls().end(),
                               [&](const Control& c) { return c.key == it.key(); });
      if (!known) errors.Add(path + "." + it.key(), "unknown control");
    }
  }
  for (const Control& control : AllControls()) {
    const json* cv = v != nullptr && v->is_object() ? GetField(*v, control.key) : nullptr;
    out.push_back(ParseControl(control, cv, level, errors, deviations));
  }
}

void ParseExemptions(const json& v, FieldErrors& errors, std::vector<Exemption>& out) {
  const std::string path = "spec.exemptions";
  if (!ExpectType(v, json::value_t::array, path, errors)) return;
  static constexpr std::array<std::string_view, 6> kFields = {"rules", "namespaces", "kinds",
                                                              "names", "reason",     "expires"};
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string ip = path + "[" + std::to_string(i) + "]";
    const json& e = v[i];
    if (!ExpectType(e, json::value_t::object, ip, errors)) continue;
    RejectUnknownFields(e, kFields, ip, errors);
    Exemption ex;
    if (const json* r = GetField(e, "rules")) {
      ReadStringList(*r, ip + ".rules", errors, ex.rules);
      for (std::size_t k = 0; k < ex.rules.size(); ++k) {
        if (FindControl(ex.rules[k]) == nullptr) {
          errors.Add(ip + ".rules[" + std::to_string(k) + "]",
                     Quoted(ex.rules[k]) + " is not a rule id");
        }
      }
    }
    if (const json* n = GetField(e, "namespaces"))
      ReadStringList(*n, ip + ".namespaces", errors, ex.namespaces);
    if (const json* k = GetField(e, "kinds")) ReadStringList(*k, ip + ".kinds", errors, ex.kinds);
    if (const json* n = GetField(e, "names")) ReadStringList(*n, ip + ".names", errors, ex.names);
    const json* reason = GetField(e, "reason");
    if (reason == nullptr) {
      errors.Add(ip + ".reason", "required");
    } else if (ExpectType(*reason, json::value_t::string, ip + ".reason", errors)) {
      ex.reason = reason->get<std::string>();
      if (ex.reason.empty()) errors.Add(ip + ".reason", "required");
    }
    if (const json* exp = GetField(e, "expires")) {
      if (ExpectType(*exp, json::value_t::string, ip + ".expires", errors)) {
        ex.expires = ParseRfc3339(exp->get_ref<const std::string&>());
        if (!ex.expires) {
          errors.Add(ip + ".expires",
                     Quoted(exp->get<std::string>()) + " is not an RFC 3339 date-time");
        }
      }
    }
    out.push_back(std::move(ex));
  }
}

}  // namespace

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kAudit:
      return "Audit";
    case Action::kLabel:
      return "Label";
    case Action::kIsolate:
      return "Isolate";
    case Action::kScaleDown:
      return "ScaleDown";
  }
  return "Audit";
}

Result<Policy> ParsePolicy(const json& object) {
  FieldErrors errors;
  Policy policy;
  if (!object.is_object()) return InvalidArgument("expected a ContainerSecurityPolicy object");
  policy.name = ReadTypeAndName(object, names::kPolicies.kind, names::kApiVersion, errors);
  // The name is the value of a label on every report, and label values stop at 63.
  if (policy.name.size() > 63) errors.Add("metadata.name", "must be at most 63 characters");
  const json* meta = GetField(object, "metadata");
  if (meta != nullptr && meta->is_object()) {
    if (const json* uid = GetField(*meta, "uid"); uid != nullptr && uid->is_string()) {
      policy.uid = uid->get<std::string>();
    }
    if (const json* gen = GetField(*meta, "generation");
        gen != nullptr && gen->is_number_integer()) {
      policy.generation = gen->get<std::int64_t>();
    }
  }

  static const json kEmpty = json::object();
  const json* spec = GetField(object, "spec");
  if (spec != nullptr) ExpectType(*spec, json::value_t::object, "spec", errors);
  if (spec == nullptr || !spec->is_object()) spec = &kEmpty;
  static constexpr std::array<std::string_view, 8> kSpecFields = {
      "match",    "action",     "admission",           "admissionMode",
      "controls", "exemptions", "podSecurityStandard", "remediation"};
  RejectUnknownFields(*spec, kSpecFields, "spec", errors);
  if (const json* m = GetField(*spec, "match")) ParseMatch(*m, errors, policy.match);
  if (const json* a = GetField(*spec, "action")) {
    policy.action = ParseAction(*a, "spec.action", errors).value_or(Action::kAudit);
  }
  if (const json* r = GetField(*spec, "remediation")) {
    ParseRemediation(*r, errors, policy.remediation);
  }
  if (const json* a = GetField(*spec, "admission")) {
    if (ExpectType(*a, json::value_t::string, "spec.admission", errors)) {
      const auto& s = a->get_ref<const std::string&>();
      if (s == "None") {
        policy.admission = Admission::kNone;
      } else if (s == "Warn") {
        policy.admission = Admission::kWarn;
      } else if (s == "Deny") {
        policy.admission = Admission::kDeny;
      } else {
        errors.Add("spec.admission", Quoted(s) + " is not one of None, Warn, Deny");
      }
    }
  }
  if (const json* m = GetField(*spec, "admissionMode")) {
    if (ExpectType(*m, json::value_t::string, "spec.admissionMode", errors)) {
      const auto& s = m->get_ref<const std::string&>();
      if (s == "Webhook") {
        policy.admission_mode = AdmissionMode::kWebhook;
      } else if (s == "ValidatingAdmissionPolicy") {
        policy.admission_mode = AdmissionMode::kValidatingAdmissionPolicy;
      } else {
        errors.Add("spec.admissionMode",
                   Quoted(s) + " is not one of Webhook, ValidatingAdmissionPolicy");
      }
    }
  }
  if (const json* p = GetField(*spec, "podSecurityStandard")) {
    if (ExpectType(*p, json::value_t::string, "spec.podSecurityStandard", errors)) {
      const auto& s = p->get_ref<const std::string&>();
      if (s == "baseline") {
        policy.pod_security_standard = PssLevel::kBaseline;
      } else if (s == "restricted") {
        policy.pod_security_standard = PssLevel::kRestricted;
      } else {
        errors.Add("spec.podSecurityStandard", Quoted(s) + " is not one of baseline, restricted");
      }
    }
  }
  ParseControls(GetField(*spec, "controls"), policy.pod_security_standard, errors, policy.controls,
                policy.pss_deviations);
  if (const json* e = GetField(*spec, "exemptions")) ParseExemptions(*e, errors, policy.exemptions);

  if (!errors.empty()) return InvalidArgument(errors.ToString());
  return policy;
}

std::string_view PssLevelName(PssLevel level) {
  return level == PssLevel::kBaseline ? "baseline" : "restricted";
}

Policy DefaultPolicy() {
  json doc = {{"apiVersion", names::kApiVersion},
              {"kind", names::kPolicies.kind},
              {"metadata", {{"name", "default"}}}};
  return *ParsePolicy(doc);  // the defaults are valid by construction (tested)
}

}  // namespace csp::policy
