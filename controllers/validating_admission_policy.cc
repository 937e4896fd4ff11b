#include "csp/controllers/validating_admission_policy.h"

#include <algorithm>
#include <set>

#include "csp/controllers/webhook_configuration.h"
#include "csp/names/names.h"
#include "csp/policy/cel.h"
#include "csp/policy/label_selector.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;
using policy::cel::Let;
using policy::cel::Quote;
using policy::cel::QuoteList;

constexpr std::string_view kVapMode = "ValidatingAdmissionPolicy";

// The pod (for a Pod) or pod template of `o` ("object" or "oldObject").
std::string Template(std::string_view o) {
  const std::string d = "dyn(" + std::string(o) + ")";
  return "(request.kind.kind == 'Pod' ? " + d + " : request.kind.kind == 'CronJob' ? " + d +
         ".spec.jobTemplate.spec.template : request.kind.kind == 'PodTemplate' ? " + d +
         ".template : " + d + ".spec.template)";
}

std::string Or(const std::vector<std::string>& terms) {
  if (terms.empty()) return "false";
  std::string out;
  for (const std::string& t : terms) out += (out.empty() ? "(" : " || (") + t + ")";
  return out;
}

std::string And(const std::vector<std::string>& terms) {
  if (terms.empty()) return "true";
  std::string out;
  for (const std::string& t : terms) out += (out.empty() ? "(" : " && (") + t + ")";
  return out;
}

bool Enabled(const policy::Policy& p, std::string_view rule) {
  return std::ranges::any_of(p.controls, [&](const policy::ControlConfig& c) {
    return c.enabled && c.control->id == rule;
  });
}

// Whether judging an object with a controller owner needs the owner (JudgedAs): the match and
// the exemptions see the top-level owner's kind, name and labels, which CEL cannot look up.
bool OwnerDependent(const policy::Policy& p) {
  if (!p.match.kinds.empty() || p.match.workload_selector) return true;
  return std::ranges::any_of(p.exemptions, [](const policy::Exemption& e) {
    return !e.kinds.empty() || !e.names.empty();
  });
}

const std::string kOwned =
    "dyn(object).metadata.?ownerReferences.orValue([]).exists(r, "
    "r.?controller.orValue(false) == true)";

// Any Localhost profile or AppArmor annotation that may be csp-agent's (containersecurity/...):
// whether it is installed on the pod's nodes is known to the webhook only (node facts). A
// superset of NodeProfileCheck's test, so nothing it judges escapes the webhook.
const std::string kAgentProfile =
    Let("t", Template("object"),
        Let("s", "t.?spec.orValue({})",
            "(s.?initContainers.orValue([]) + s.?containers.orValue([]) + "
            "s.?ephemeralContainers.orValue([]) + "
            "[{'securityContext': s.?securityContext.orValue({})}]).exists(c, "
            "string(c.?securityContext.?seccompProfile.?localhostProfile.orValue(''))"
            ".contains('containersecurity') || "
            "string(c.?securityContext.?appArmorProfile.?localhostProfile.orValue(''))"
            ".contains('containersecurity')) || "
            "t.?metadata.?annotations.orValue({}).exists(k, k.startsWith(" +
                Quote(names::kAppArmorAnnotationPrefix) +
                ") && string(t.metadata.annotations[k]).contains('containersecurity'))"));

// A label selector over the labels map `labels` (metav1.LabelSelector semantics).
std::string SelectorCel(const policy::LabelSelector& selector, std::string_view labels) {
  std::vector<std::string> terms;
  const std::string l(labels);
  for (const policy::LabelRequirement& r : selector.requirements) {
    const std::string has = Quote(r.key) + " in " + l;
    const std::string value = l + "[" + Quote(r.key) + "]";
    switch (r.op) {
      case policy::LabelRequirement::Op::kIn:
        terms.push_back(has + " && " + value + " in " + QuoteList(r.values));
        break;
      case policy::LabelRequirement::Op::kNotIn:
        terms.push_back("!(" + has + ") || !(" + value + " in " + QuoteList(r.values) + ")");
        break;
      case policy::LabelRequirement::Op::kExists:
        terms.push_back(has);
        break;
      case policy::LabelRequirement::Op::kDoesNotExist:
        terms.push_back("!(" + has + ")");
        break;
    }
  }
  return And(terms);
}

// PodTemplateChanged: the pod spec (nodeSelector without the quarantine key) or the AppArmor
// annotations differ. Only an UPDATE that changes them is judged.
std::string TemplateChanged() {
  const std::string q = Quote(names::kQuarantineKey);
  const std::string a = Quote(names::kAppArmorAnnotationPrefix);
  const std::string same_spec =
      "o.all(k, k == 'nodeSelector' || (k in n && n[k] == o[k])) && "
      "n.all(k, k == 'nodeSelector' || k in o)";
  const std::string same_selector =
      Let("os", "o.?nodeSelector.orValue({})",
          Let("ns", "n.?nodeSelector.orValue({})",
              "os.all(k, k == " + q + " || (k in ns && ns[k] == os[k])) && ns.all(k, k == " + q +
                  " || k in os)"));
  const std::string same_annotations =
      Let("oa", "ot.?metadata.?annotations.orValue({})",
          Let("na", "variables.tmpl.?metadata.?annotations.orValue({})",
              "oa.all(k, !k.startsWith(" + a + ") || (k in na && na[k] == oa[k])) && na.all(k, " +
                  "!k.startsWith(" + a + ") || k in oa)"));
  return "!(" +
         Let("ot", Template("oldObject"),
             Let("o", "ot.?spec.orValue({})",
                 Let("n", "variables.spec",
                     "(" + same_spec + ") && (" + same_selector + ") && (" + same_annotations +
                         ")"))) +
         ")";
}

// The exemptions of `policy` that cover `rule` at `now`, as CEL (FindExemption).
std::string ExemptCel(const policy::Policy& p, std::string_view rule,
                      std::chrono::sys_seconds now) {
  auto globs = [](const std::vector<std::string>& patterns, std::string_view text) {
    std::vector<std::string> any;
    for (const std::string& g : patterns) {
      any.push_back(std::string(text) + ".matches(" + Quote(policy::cel::GlobRegex(g)) + ")");
    }
    return patterns.empty() ? std::string("true") : Or(any);
  };
  std::vector<std::string> any;
  for (const policy::Exemption& e : p.exemptions) {
    if (e.expires && now > *e.expires) continue;
    if (!e.rules.empty() && std::ranges::find(e.rules, rule) == e.rules.end()) continue;
    any.push_back(And({globs(e.namespaces, "request.namespace"),
                       e.kinds.empty() ? "true" : "request.kind.kind in " + QuoteList(e.kinds),
                       globs(e.names, "variables.name")}));
  }
  return Or(any);
}

json Variable(std::string_view name, std::string expression) {
  return {{"name", name}, {"expression", std::move(expression)}};
}

// The pod's containers and their labels, as cel.h promises.
json ContainerVariables() {
  const std::string s = "variables.spec";
  auto list = [&](std::string_view field, std::string_view label) {
    return s + ".?" + std::string(field) + ".orValue([]).map(c, '" + std::string(label) +
           " \"' + c.name + '\"')";
  };
  return json::array(
      {Variable("containers", s + ".?initContainers.orValue([]) + " + s +
                                  ".?containers.orValue([]) + " + s +
                                  ".?ephemeralContainers.orValue([])"),
       Variable("containerLabels", list("initContainers", "initContainer") + " + " +
                                       list("containers", "container") + " + " +
                                       list("ephemeralContainers", "ephemeralContainer"))});
}

json NamespaceSelector(const policy::Policy& p, const VapSettings& settings) {
  json expressions = json::array();
  if (p.match.namespace_selector) {
    for (const policy::LabelRequirement& r : p.match.namespace_selector->requirements) {
      static constexpr std::array<std::string_view, 4> kOps = {"In", "NotIn", "Exists",
                                                               "DoesNotExist"};
      json e = {{"key", r.key}, {"operator", kOps[static_cast<int>(r.op)]}};
      if (!r.values.empty()) e["values"] = r.values;
      expressions.push_back(std::move(e));
    }
  }
  std::set<std::string> excluded(settings.exclude_namespaces.begin(),
                                 settings.exclude_namespaces.end());
  excluded.insert(p.match.exclude_namespaces.begin(), p.match.exclude_namespaces.end());
  if (!excluded.empty()) {
    expressions.push_back({{"key", "kubernetes.io/metadata.name"},
                           {"operator", "NotIn"},
                           {"values", std::vector<std::string>(excluded.begin(), excluded.end())}});
  }
  return {{"matchExpressions", std::move(expressions)}};
}

json Metadata(const policy::Policy& p) {
  json meta = {{"name", ValidatingAdmissionPolicyName(p.name)},
               {"labels",
                {{names::kManagedByLabel, names::kManagedByOperator},
                 {std::string(names::kGroup) + "/policy", p.name}}}};
  if (!p.uid.empty()) {
    // Deleted with the policy by the garbage collector, should the operator be away.
    meta["ownerReferences"] = {{{"apiVersion", names::kApiVersion},
                                {"kind", names::kPolicies.kind},
                                {"name", p.name},
                                {"uid", p.uid}}};
  }
  return meta;
}

}  // namespace

std::string ValidatingAdmissionPolicyName(std::string_view policy_name) {
  return "csp-" + std::string(policy_name);
}

AdmissionPlan PlanAdmission(const policy::Policy& p) {
  AdmissionPlan plan;
  if (p.admission == policy::Admission::kNone) return plan;
  plan.route = AdmissionRoute::kWebhook;
  for (const policy::ControlConfig& c : p.controls) {
    if (!c.enabled) continue;
    const bool expressible = c.control->cel != nullptr && c.control->cel(*c.settings);
    (expressible ? plan.vap_rules : plan.webhook_rules).emplace_back(c.control->id);
    if (!expressible && plan.not_expressible.empty()) plan.not_expressible = c.control->id;
  }
  if (p.admission_mode != policy::AdmissionMode::kValidatingAdmissionPolicy) {
    plan.webhook_rules.insert(plan.webhook_rules.begin(), plan.vap_rules.begin(),
                              plan.vap_rules.end());
    plan.vap_rules.clear();
    return plan;
  }
  if (!plan.not_expressible.empty()) {
    // One rule the webhook must see means it sees every object: it judges them whole, and a
    // VAP judging the same objects again would add nothing but a second message.
    plan.webhook_rules.insert(plan.webhook_rules.end(), plan.vap_rules.begin(),
                              plan.vap_rules.end());
    plan.vap_rules.clear();
    return plan;
  }
  plan.route = AdmissionRoute::kDeferred;
  std::vector<std::string> deferred;
  if (OwnerDependent(p)) {
    deferred.push_back(kOwned);
    plan.deferred_reasons.push_back(
        "objects with a controller owner: the policy's kinds, workloadSelector or exemptions "
        "name the top-level owner, which CEL cannot look up");
  }
  if (Enabled(p, "require-seccomp") || Enabled(p, "require-apparmor")) {
    deferred.push_back(kAgentProfile);
    plan.deferred_reasons.push_back(
        "objects using a Localhost profile under containersecurity/: only the webhook knows "
        "which nodes have it");
  }
  plan.deferred = Or(deferred);
  return plan;
}

std::optional<GeneratedVap> DesiredValidatingAdmissionPolicy(const policy::Policy& p,
                                                             const VapSettings& settings,
                                                             std::chrono::sys_seconds now) {
  const AdmissionPlan plan = PlanAdmission(p);
  if (plan.route != AdmissionRoute::kDeferred || plan.vap_rules.empty()) return std::nullopt;
  json variables = json::array(
      {Variable("tmpl", Template("object")), Variable("spec", "variables.tmpl.?spec.orValue({})"),
       Variable("podSc", "variables.spec.?securityContext.orValue({})"),
       Variable("annotations", "variables.tmpl.?metadata.?annotations.orValue({})")});
  for (json& v : ContainerVariables()) variables.push_back(std::move(v));
  variables.push_back(Variable("name",
                               "dyn(object).metadata.?name.orValue('') != '' ? "
                               "dyn(object).metadata.name : request.name"));
  variables.push_back(Variable("windows", "variables.spec.?os.?name.orValue('') == 'windows'"));
  std::vector<std::string> judged = {"request.operation == 'CREATE' || " + TemplateChanged(),
                                     "!(" + plan.deferred + ")"};
  if (p.match.workload_selector) {
    judged.push_back(
        SelectorCel(*p.match.workload_selector, "dyn(object).metadata.?labels.orValue({})"));
  }
  variables.push_back(Variable("judged", And(judged)));

  // The API server evaluates `expression` for every request and `messageExpression` only when it
  // is false: the pass test stays cheap, and the violations are listed for a refusal only.
  json validations = json::array();
  for (const policy::ControlConfig& c : p.controls) {
    if (!c.enabled) continue;
    const policy::cel::CelCheck check = *c.control->cel(*c.settings);
    std::vector<std::string> pass = {"!variables.judged", ExemptCel(p, c.control->id, now)};
    if (c.control->skip_on_windows) pass.push_back("variables.windows");
    pass.push_back(check.passes);
    validations.push_back(
        {{"expression", Or(pass)},
         {"messageExpression", Quote(std::string(names::kGroup) + " policy \"" + p.name +
                                     "\": " + std::string(c.control->id) + ": ") +
                                   " + (" + check.violations + ").join('; ')"},
         {"reason", "Forbidden"}});
  }
  const bool deny = p.admission == policy::Admission::kDeny;
  GeneratedVap out;
  out.policy = {
      {"apiVersion", "admissionregistration.k8s.io/v1"},
      {"kind", "ValidatingAdmissionPolicy"},
      {"metadata", Metadata(p)},
      {"spec",
       {{"failurePolicy", deny ? settings.failure_policy : "Ignore"},
        {"matchConstraints",
         {{"resourceRules", AdmissionResourceRules(AdmissionKinds(std::span(&p, 1), p.admission,
                                                                  /*created=*/false))},
          {"namespaceSelector", NamespaceSelector(p, settings)},
          {"matchPolicy", "Equivalent"}}},
        {"variables", std::move(variables)},
        {"validations", std::move(validations)}}}};
  out.binding = {{"apiVersion", "admissionregistration.k8s.io/v1"},
                 {"kind", "ValidatingAdmissionPolicyBinding"},
                 {"metadata", Metadata(p)},
                 {"spec",
                  {{"policyName", ValidatingAdmissionPolicyName(p.name)},
                   {"validationActions", {deny ? "Deny" : "Warn"}}}}};
  for (const policy::Exemption& e : p.exemptions) {
    if (!e.expires || now > *e.expires) continue;
    const auto at = *e.expires + std::chrono::seconds(1);
    if (!out.regenerate_at || at < *out.regenerate_at) out.regenerate_at = at;
  }
  return out;
}

json AdmissionStatus(const policy::Policy& p) {
  const AdmissionPlan plan = PlanAdmission(p);
  if (plan.route == AdmissionRoute::kNone) return nullptr;
  const bool vap = plan.route == AdmissionRoute::kDeferred;
  json rules = json::array();
  for (const policy::ControlConfig& c : p.controls) {
    if (!c.enabled) continue;
    const bool in_vap = std::ranges::find(plan.vap_rules, c.control->id) != plan.vap_rules.end();
    rules.push_back({{"rule", c.control->id}, {"runsIn", in_vap ? kVapMode : "Webhook"}});
  }
  json out = {{"mode", p.admission_mode == policy::AdmissionMode::kWebhook ? "Webhook" : kVapMode},
              {"rules", std::move(rules)}};
  if (vap) {
    out["validatingAdmissionPolicy"] = ValidatingAdmissionPolicyName(p.name);
    if (!plan.deferred_reasons.empty()) out["webhookJudgesWhole"] = plan.deferred_reasons;
  } else if (!plan.not_expressible.empty() &&
             p.admission_mode == policy::AdmissionMode::kValidatingAdmissionPolicy) {
    out["webhookJudgesWhole"] = {"every object: rule " + plan.not_expressible +
                                 " cannot be expressed in CEL with these settings"};
  }
  return out;
}

}  // namespace csp::controllers
