#include "csp/manager/webhook_sync.h"

#include "csp/kube/base64.h"
#include "csp/manager/resources.h"
#include "csp/names/names.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

constexpr std::string_view kFieldManager = "csp-operator";
constexpr std::string_view kCaBundleKey = certs::kCaCertKey;
// A rotation step waits for the API server to trust the new bundle; the next step is checked
// this soon after.
constexpr std::chrono::seconds kRotationStep{10};

// The host of an https URL: "https://127.0.0.1:9443/validate" -> "127.0.0.1", brackets of an
// IPv6 literal removed.
std::string UrlHost(std::string_view url) {
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
  }
  url = url.substr(0, url.find('/'));
  if (url.starts_with('[')) return std::string(url.substr(1, url.find(']') - 1));
  return std::string(url.substr(0, url.find(':')));
}

bool IsIpLiteral(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  if (host.empty()) return false;
  for (char c : host) {
    if (c != '.' && (c < '0' || c > '9')) return false;
  }
  return true;
}

// Whether every webhook of the configuration in the cluster already trusts `bundle`: only then
// may the serving certificate move to a CA that the bundle just gained. No configuration, or
// one without webhooks, calls nobody.
bool BundlePropagated(const json* configuration, std::string_view bundle) {
  if (configuration == nullptr) return true;
  const json webhooks = configuration->value("webhooks", json::array());
  if (!webhooks.is_array()) return true;
  const std::string want = kube::EncodeBase64(bundle);
  for (const json& w : webhooks) {
    const json client = w.is_object() ? w.value("clientConfig", json::object()) : json::object();
    if (!client.is_object() || client.value("caBundle", std::string()) != want) return false;
  }
  return true;
}

// What of the webhooks decides how the API server calls them: the server adds defaults
// (objectSelector, reinvocation fields) that are not ours to compare.
json Projection(const json& webhooks) {
  json out = json::array();
  if (!webhooks.is_array()) return out;
  for (const json& w : webhooks) {
    json p = json::object();
    for (const char* key : {"name", "clientConfig", "rules", "failurePolicy", "timeoutSeconds",
                            "namespaceSelector", "sideEffects", "admissionReviewVersions"}) {
      if (w.is_object() && w.contains(key)) p[key] = w[key];
    }
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::optional<json>> GetOptional(kube::Client& client, const kube::ResourceRef& ref,
                                        std::string_view ns, std::string_view name) {
  auto object = client.Get(ref, ns, name);
  if (object) return std::optional<json>(std::move(*object));
  if (object.error().code == Code::kNotFound) return std::optional<json>();
  return object.error();
}

Status WriteSecret(kube::Client& client, const WebhookSyncSettings& settings,
                   const std::optional<json>& existing, const certs::SecretData& data) {
  json encoded = json::object();
  for (const auto& [key, value] : data) encoded[key] = kube::EncodeBase64(value);
  if (existing) {
    json secret = *existing;
    secret["data"] = std::move(encoded);
    auto written = client.Update(kSecrets, settings.ns, secret);
    if (!written) return written.error();
    return {};
  }
  const json secret = {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata",
                        {{"name", settings.secret_name},
                         {"namespace", settings.ns},
                         {"labels", {{names::kManagedByLabel, names::kManagedByOperator}}}}},
                       {"type", "kubernetes.io/tls"},
                       {"data", std::move(encoded)}};
  auto written = client.Create(kSecrets, settings.ns, secret);
  if (!written) return written.error();
  return {};
}

}  // namespace

WebhookSyncSettings WebhookSyncSettingsFrom(const Options& options) {
  WebhookSyncSettings s{.ns = options.lease_namespace,
                        .secret_name = options.webhook_cert_secret,
                        .generate_certificates = options.webhook_cert_provider == "operator"};
  const std::string& service = options.webhook_service;
  const std::string& ns = options.lease_namespace;
  s.certs.ca_lifetime = std::chrono::seconds(options.webhook_ca_lifetime_seconds);
  s.certs.serving_lifetime = std::chrono::seconds(options.webhook_cert_lifetime_seconds);
  s.certs.dns_names = {service, service + "." + ns, service + "." + ns + ".svc",
                       service + "." + ns + ".svc.cluster.local"};
  if (!options.webhook_url.empty()) {
    const std::string host = UrlHost(options.webhook_url);
    (IsIpLiteral(host) ? s.certs.ip_addresses : s.certs.dns_names).push_back(host);
  }
  s.webhook = {.configuration_name = options.webhook_configuration,
               .url = options.webhook_url,
               .service_namespace = ns,
               .service_name = service,
               .failure_policy = options.webhook_failure_policy,
               .timeout_seconds = options.webhook_timeout_seconds,
               .exclude_namespaces = options.webhook_exclude_namespaces};
  // Never the operator's own namespace: it must always be able to start again.
  s.webhook.exclude_namespaces.push_back(ns);
  return s;
}

certs::SecretData DecodeSecretData(const json& secret) {
  certs::SecretData out;
  const json data = secret.is_object() ? secret.value("data", json::object()) : json::object();
  if (!data.is_object()) return out;
  for (const auto& [key, value] : data.items()) {
    if (!value.is_string()) continue;
    if (auto bytes = kube::DecodeBase64(value.get_ref<const std::string&>())) {
      out[key] = std::move(*bytes);
    }
  }
  return out;
}

Result<WebhookSyncOutcome> SyncWebhook(kube::Client& client, const WebhookSyncSettings& settings,
                                       std::span<const policy::Policy> policies,
                                       std::chrono::sys_seconds now) {
  CSP_TRY(auto secret, GetOptional(client, kSecrets, settings.ns, settings.secret_name));
  CSP_TRY(auto configuration, GetOptional(client, kValidatingWebhookConfigurations, "",
                                          settings.webhook.configuration_name));
  // Checked often enough to renew in time even with short lifetimes (tests use minutes).
  WebhookSyncOutcome outcome{.next = std::min<std::chrono::seconds>(
                                 std::chrono::hours(1), settings.certs.serving_lifetime / 10)};
  certs::SecretData data = secret ? DecodeSecretData(*secret) : certs::SecretData{};
  if (settings.generate_certificates) {
    const auto current = data.find(std::string(kCaBundleKey));
    const bool propagated = BundlePropagated(configuration ? &*configuration : nullptr,
                                             current != data.end() ? current->second : "");
    CSP_TRY(certs::Plan plan, certs::PlanCertificates(data, settings.certs, now, propagated));
    if (plan.changed) {
      if (auto s = WriteSecret(client, settings, secret, plan.data); !s) return s.error();
      outcome.certificate_change = plan.reason;
      outcome.next = kRotationStep;
    }
    data = std::move(plan.data);
  }
  const auto bundle = data.find(std::string(kCaBundleKey));
  if (bundle == data.end() || bundle->second.empty()) {
    return Error{Code::kFailedPrecondition, "Secret " + settings.ns + "/" + settings.secret_name +
                                                " has no " + std::string(kCaBundleKey) +
                                                " for the webhook's caBundle"};
  }
  json desired = controllers::DesiredWebhookConfiguration(policies, settings.webhook,
                                                          kube::EncodeBase64(bundle->second));
  const bool same = configuration && Projection(configuration->value("webhooks", json())) ==
                                         Projection(desired["webhooks"]);
  if (!same) {
    auto applied = client.Apply(kValidatingWebhookConfigurations, "", desired, kFieldManager,
                                /*force=*/true);
    if (!applied) return applied.error();
    outcome.configuration_written = true;
  }
  return outcome;
}

}  // namespace csp::manager
