// The leader's half of admission (docs/admission.md): the webhook's certificate Secret and the
// ValidatingWebhookConfiguration. Every replica serves the webhook; only the leader writes these.
#pragma once

#include <chrono>
#include <span>
#include <string>

#include "csp/certs/rotation.h"
#include "csp/common/result.h"
#include "csp/controllers/webhook_configuration.h"
#include "csp/kube/client.h"
#include "csp/manager/options.h"
#include "csp/policy/policy.h"

namespace csp::manager {

struct WebhookSyncSettings {
  std::string ns = {};  // the operator's namespace: the Secret's
  std::string secret_name = {};
  // True: the operator creates and rotates the certificates (csp::certs). False: another tool
  // (cert-manager) writes tls.crt, tls.key and ca.crt; the operator only reads ca.crt.
  bool generate_certificates = true;
  certs::Settings certs = {};
  controllers::WebhookSettings webhook = {};
};

// The settings of `options` (after main resolved lease_namespace). The serving certificate's
// names: the Service's DNS names, and the host of --webhook-url when set.
WebhookSyncSettings WebhookSyncSettingsFrom(const Options& options);

// What one sync did, and when the next one is due.
struct WebhookSyncOutcome {
  std::string certificate_change = {};  // the plan's reason; "" when the Secret was kept
  bool configuration_written = false;
  std::chrono::seconds next = std::chrono::hours(1);
};

// Reads the Secret and the configuration, writes the Secret when the certificates need a change
// (certs::PlanCertificates), then applies the configuration for `policies` with the Secret's
// ca.crt as caBundle. A rotation in progress asks for the next sync within seconds.
Result<WebhookSyncOutcome> SyncWebhook(kube::Client& client, const WebhookSyncSettings& settings,
                                       std::span<const policy::Policy> policies,
                                       std::chrono::sys_seconds now);

// A Secret's data, base64-decoded (entries that do not decode are left out).
certs::SecretData DecodeSecretData(const nlohmann::json& secret);

}  // namespace csp::manager
