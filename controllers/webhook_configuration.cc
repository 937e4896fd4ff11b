#include "csp/controllers/webhook_configuration.h"

#include <algorithm>
#include <array>
#include <set>

#include "csp/controllers/validating_admission_policy.h"
#include "csp/names/names.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;

// What each kind's controller creates: those objects are judged too.
struct Creates {
  std::string_view kind;
  std::array<std::string_view, 2> created;
};
constexpr std::array<Creates, 7> kCreates = {{
    {"ReplicationController", {"Pod"}},
    {"Deployment", {"ReplicaSet", "Pod"}},
    {"ReplicaSet", {"Pod"}},
    {"StatefulSet", {"Pod"}},
    {"DaemonSet", {"Pod"}},
    {"Job", {"Pod"}},
    {"CronJob", {"Job"}},
}};

bool IsKind(std::string_view kind) {
  return std::ranges::find(names::kWorkloadKinds, kind) != names::kWorkloadKinds.end();
}

void AddWithCreated(std::string_view kind, std::set<std::string>& out) {
  if (!IsKind(kind) || !out.emplace(kind).second) return;
  for (const Creates& c : kCreates) {
    if (c.kind != kind) continue;
    for (std::string_view created : c.created) {
      if (!created.empty()) AddWithCreated(created, out);
    }
  }
}

}  // namespace

// One rule per API group, in names::kWorkloads order; Pods also get pods/ephemeralcontainers
// (`kubectl debug` adds containers through it, with an UPDATE).
json AdmissionResourceRules(const std::vector<std::string>& kinds) {
  json rules = json::array();
  for (std::string_view group : {"", "apps", "batch"}) {
    json resources = json::array();
    bool pods = false;
    for (const names::Resource& r : names::kWorkloads) {
      if (r.group != group || !std::ranges::binary_search(kinds, r.kind)) continue;
      resources.push_back(r.plural);
      pods = pods || r.kind == names::kPods.kind;
    }
    if (resources.empty()) continue;
    if (pods) resources.push_back("pods/ephemeralcontainers");
    rules.push_back({{"apiGroups", {group}},
                     {"apiVersions", {"*"}},
                     {"operations", {"CREATE", "UPDATE"}},
                     {"resources", std::move(resources)},
                     {"scope", "Namespaced"}});
  }
  return rules;
}

namespace {

// Where a webhook sends its reviews: the deferred path's URL is --webhook-url's with "-deferred"
// appended to its path ("/validate" -> "/validate-deferred").
json ClientConfig(const WebhookSettings& settings, bool deferred) {
  json client_config = json::object();
  if (!settings.url.empty()) {
    client_config["url"] = settings.url + (deferred ? "-deferred" : "");
  } else {
    client_config["service"] = {{"namespace", settings.service_namespace},
                                {"name", settings.service_name},
                                {"path", deferred ? kDeferredWebhookPath : kWebhookPath},
                                {"port", 443}};
  }
  return client_config;
}

json Webhook(std::string_view name, const std::vector<std::string>& kinds,
             std::string_view failure_policy, const WebhookSettings& settings,
             std::string_view ca_bundle_base64, const std::string& deferred) {
  json client_config = ClientConfig(settings, !deferred.empty());
  if (!ca_bundle_base64.empty()) client_config["caBundle"] = ca_bundle_base64;
  std::vector<std::string> excluded = settings.exclude_namespaces;
  std::ranges::sort(excluded);
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  json webhook = {{"name", name},
                  {"admissionReviewVersions", {"v1"}},
                  {"clientConfig", std::move(client_config)},
                  {"rules", AdmissionResourceRules(kinds)},
                  {"failurePolicy", failure_policy},
                  {"matchPolicy", "Equivalent"},
                  {"sideEffects", "None"},
                  {"timeoutSeconds", settings.timeout_seconds}};
  if (!deferred.empty() && deferred != "true") {
    webhook["matchConditions"] = {
        {{"name", "deferred-by-validating-admission-policy"}, {"expression", deferred}}};
  }
  if (!excluded.empty()) {
    webhook["namespaceSelector"] = {{"matchExpressions",
                                     {{{"key", "kubernetes.io/metadata.name"},
                                       {"operator", "NotIn"},
                                       {"values", std::move(excluded)}}}}};
  }
  return webhook;
}

}  // namespace

std::vector<std::string> AdmissionKinds(std::span<const policy::Policy> policies,
                                        policy::Admission admission, bool created) {
  std::set<std::string> kinds;
  for (const policy::Policy& p : policies) {
    if (p.admission != admission) continue;
    if (p.match.kinds.empty()) {
      for (std::string_view kind : names::kWorkloadKinds) kinds.emplace(kind);
      continue;
    }
    for (const std::string& kind : p.match.kinds) {
      if (created) {
        AddWithCreated(kind, kinds);
      } else {
        kinds.insert(kind);
      }
    }
  }
  return {kinds.begin(), kinds.end()};
}

json DesiredWebhookConfiguration(std::span<const policy::Policy> policies,
                                 const WebhookSettings& settings,
                                 std::string_view ca_bundle_base64) {
  std::vector<policy::Policy> whole, deferred;
  std::vector<std::string> conditions;
  for (const policy::Policy& p : policies) {
    const AdmissionPlan plan = PlanAdmission(p);
    if (plan.route == AdmissionRoute::kWebhook) whole.push_back(p);
    if (plan.route == AdmissionRoute::kDeferred && plan.deferred != "false") {
      deferred.push_back(p);
      conditions.push_back("(" + plan.deferred + ")");
    }
  }
  // One condition for both deferred webhooks: an object any VAP defers is judged by every policy
  // of the path, so none is left out by the kind split below.
  std::string condition;
  for (const std::string& c : conditions) condition += (condition.empty() ? "" : " || ") + c;
  json webhooks = json::array();
  auto add_pair = [&](std::span<const policy::Policy> set, std::string_view deny_name,
                      std::string_view warn_name, const std::string& match) {
    const std::vector<std::string> deny = AdmissionKinds(set, policy::Admission::kDeny);
    std::vector<std::string> warn_only;
    std::ranges::set_difference(AdmissionKinds(set, policy::Admission::kWarn), deny,
                                std::back_inserter(warn_only));
    if (!deny.empty()) {
      webhooks.push_back(
          Webhook(deny_name, deny, settings.failure_policy, settings, ca_bundle_base64, match));
    }
    // Kinds a Deny policy covers already reach the Deny webhook, which also answers the Warn
    // policies' warnings: sending them here too would print every warning twice.
    if (!warn_only.empty()) {
      webhooks.push_back(
          Webhook(warn_name, warn_only, "Ignore", settings, ca_bundle_base64, match));
    }
  };
  add_pair(whole, kDenyWebhookName, kWarnWebhookName, "");
  if (!deferred.empty()) {
    add_pair(deferred, kDeferredDenyWebhookName, kDeferredWarnWebhookName, condition);
  }
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "ValidatingWebhookConfiguration"},
          {"metadata",
           {{"name", settings.configuration_name},
            {"labels", {{names::kManagedByLabel, names::kManagedByOperator}}}}},
          {"webhooks", std::move(webhooks)}};
}

}  // namespace csp::controllers
