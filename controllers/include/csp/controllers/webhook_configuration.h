// The ValidatingWebhookConfiguration the operator owns (docs/admission.md): exactly the kinds and
// operations that some policy with `admission: Warn | Deny` needs, and nothing when none does,
// so that the API server never calls the webhook for nothing. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "csp/policy/policy.h"

namespace csp::controllers {

inline constexpr std::string_view kDenyWebhookName = "deny.containersecurity.dev";
inline constexpr std::string_view kWarnWebhookName = "warn.containersecurity.dev";
inline constexpr std::string_view kWebhookPath = "/validate";
// The ValidatingAdmissionPolicy path's webhooks (validating_admission_policy.h): only the objects
// a generated VAP cannot judge exactly reach them (matchConditions), and they judge only the
// policies of that path.
inline constexpr std::string_view kDeferredDenyWebhookName = "deny-deferred.containersecurity.dev";
inline constexpr std::string_view kDeferredWarnWebhookName = "warn-deferred.containersecurity.dev";
inline constexpr std::string_view kDeferredWebhookPath = "/validate-deferred";

struct WebhookSettings {
  std::string configuration_name = "csp-operator";
  // clientConfig: `url` when set, else the Service (namespace/name, port 443, kWebhookPath).
  std::string url = {};
  std::string service_namespace = {};
  std::string service_name = {};
  std::string failure_policy = "Fail";  // of the Deny webhook; the Warn webhook always Ignores
  int timeout_seconds = 5;
  // Namespaces never sent (kubernetes.io/metadata.name NotIn): the operator's own and
  // kube-system at least, so that the operator can always be restarted.
  std::vector<std::string> exclude_namespaces = {};
};

// The kinds admission must see for `policies`' Warn (or Deny) policies: each policy's
// match.kinds (all workload kinds when empty) plus, when `created`, what those kinds create
// (Deployment -> ReplicaSet -> Pod, CronJob -> Job -> Pod, every controller -> Pod), since the
// Pods a controller creates are judged too. Sorted, unique.
std::vector<std::string> AdmissionKinds(std::span<const policy::Policy> policies,
                                        policy::Admission admission, bool created = true);

// The admissionregistration rules for CREATE and UPDATE of `kinds` (sorted), one per API group;
// Pods also get pods/ephemeralcontainers.
nlohmann::json AdmissionResourceRules(const std::vector<std::string>& kinds);

// The whole object, for a server-side apply. `ca_bundle_base64` is the PEM bundle the API server
// must trust, already base64-encoded. Webhooks: "deny.containersecurity.dev" for the Deny policies'
// kinds (failurePolicy from settings), "warn.containersecurity.dev" for the kinds only Warn
// policies need (failurePolicy Ignore: a warning is not worth refusing a request for), each for
// the policies the webhook judges whole (AdmissionRoute::kWebhook); the "*-deferred" pair the
// same for the ValidatingAdmissionPolicy path's policies, with matchConditions selecting only the
// objects their VAPs defer. A webhook without kinds is left out, so no policy asking for
// admission means `webhooks: []`.
nlohmann::json DesiredWebhookConfiguration(std::span<const policy::Policy> policies,
                                           const WebhookSettings& settings,
                                           std::string_view ca_bundle_base64);

}  // namespace csp::controllers
