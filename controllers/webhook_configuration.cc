#include "csp/controllers/webhook_configuration.h"

#include <algorithm>
#include <array>
#include <set>

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

// One rule per API group, in names::kWorkloads order; Pods also get pods/ephemeralcontainers
// (`kubectl debug` adds containers through it, with an UPDATE).
json Rules(const std::vector<std::string>& kinds) {
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

json Webhook(std::string_view name, const std::vector<std::string>& kinds,
             std::string_view failure_policy, const WebhookSettings& settings,
             std::string_view ca_bundle_base64) {
  json client_config = json::object();
  if (!settings.url.empty()) {
    client_config["url"] = settings.url;
  } else {
    client_config["service"] = {{"namespace", settings.service_namespace},
                                {"name", settings.service_name},
                                {"path", kWebhookPath},
                                {"port", 443}};
  }
  if (!ca_bundle_base64.empty()) client_config["caBundle"] = ca_bundle_base64;
  std::vector<std::string> excluded = settings.exclude_namespaces;
  std::ranges::sort(excluded);
  excluded.erase(std::unique(excluded.begin(), excluded.end()), excluded.end());
  json webhook = {{"name", name},
                  {"admissionReviewVersions", {"v1"}},
                  {"clientConfig", std::move(client_config)},
                  {"rules", Rules(kinds)},
                  {"failurePolicy", failure_policy},
                  {"matchPolicy", "Equivalent"},
                  {"sideEffects", "None"},
                  {"timeoutSeconds", settings.timeout_seconds}};
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
                                        policy::Admission admission) {
  std::set<std::string> kinds;
  for (const policy::Policy& p : policies) {
    if (p.admission != admission) continue;
    if (p.match.kinds.empty()) {
      for (std::string_view kind : names::kWorkloadKinds) kinds.emplace(kind);
      continue;
    }
    for (const std::string& kind : p.match.kinds) AddWithCreated(kind, kinds);
  }
  return {kinds.begin(), kinds.end()};
}

json DesiredWebhookConfiguration(std::span<const policy::Policy> policies,
                                 const WebhookSettings& settings,
                                 std::string_view ca_bundle_base64) {
  const std::vector<std::string> deny = AdmissionKinds(policies, policy::Admission::kDeny);
  std::vector<std::string> warn_only;
  std::ranges::set_difference(AdmissionKinds(policies, policy::Admission::kWarn), deny,
                              std::back_inserter(warn_only));
  json webhooks = json::array();
  if (!deny.empty()) {
    webhooks.push_back(
        Webhook(kDenyWebhookName, deny, settings.failure_policy, settings, ca_bundle_base64));
  }
  // Kinds a Deny policy covers already reach the Deny webhook, which also answers the Warn
  // policies' warnings: sending them here too would print every warning twice.
  if (!warn_only.empty()) {
    webhooks.push_back(Webhook(kWarnWebhookName, warn_only, "Ignore", settings, ca_bundle_base64));
  }
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", "ValidatingWebhookConfiguration"},
          {"metadata",
           {{"name", settings.configuration_name},
            {"labels", {{names::kManagedByLabel, names::kManagedByOperator}}}}},
          {"webhooks", std::move(webhooks)}};
}

}  // namespace csp::controllers
