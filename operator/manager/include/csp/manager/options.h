// csp-operator's settings: every one a flag and an environment variable (CSP_<FLAG>, e.g.
// --log-format and CSP_LOG_FORMAT); a flag wins over the variable, which wins over the default.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/controllers/gitops_owner.h"
#include "csp/names/names.h"

namespace csp::manager {

struct Options {
  std::string kubeconfig = {};
  std::string context = {};
  std::string listen_address = "0.0.0.0:8080";
  std::string log_format = "text";  // text | json
  std::string log_level = "info";   // debug | info | warn | error
  // wgpolicyk8s | openreports | both (names::ReportApisOf): which reports are written.
  std::string report_api = std::string(names::kDefaultReportApi);
  int workers = 4;
  double kube_api_qps = 50;
  int kube_api_burst = 100;
  // How informers take the current state: "list" (LIST pages) or "watch" (a streaming list,
  // kube::InformerOptions::streaming_list; LIST where the server refuses it).
  std::string list_mode = "list";
  bool leader_elect = true;
  std::string lease_namespace = {};  // "": the service account's namespace, else csp-system
  std::string lease_name = "csp-operator";
  std::string identity = {};  // "": <hostname>_<pid>
  int lease_duration = 15;    // seconds
  int renew_deadline = 10;
  int retry_period = 2;
  // Admission (docs/admission.md). An empty webhook_listen_address serves no webhook and writes
  // no ValidatingWebhookConfiguration.
  std::string webhook_listen_address = "0.0.0.0:9443";
  std::string webhook_url = {};                          // clientConfig.url; "": the Service below
  std::string webhook_service = "csp-operator-webhook";  // in lease_namespace, port 443
  std::string webhook_configuration = "csp-operator";    // ValidatingWebhookConfiguration name
  std::string webhook_failure_policy = "Fail";           // of Deny policies' webhook
  int webhook_timeout_seconds = 5;
  std::vector<std::string> webhook_exclude_namespaces = {"kube-system"};  // + lease_namespace
  std::string webhook_cert_secret = "csp-operator-webhook-cert";
  std::string webhook_cert_provider = "operator";  // operator | external (e.g. cert-manager)
  int webhook_threads = 2;
  // Validity of the certificates the operator makes; each is renewed in its last third.
  int webhook_ca_lifetime_seconds = 365 * 24 * 3600;
  int webhook_cert_lifetime_seconds = 90 * 24 * 3600;
  // Image signatures (docs/signatures.md "In the cluster").
  std::vector<std::string> signature_key_namespaces = {};  // empty: lease_namespace
  int signature_recheck_seconds = 300;
  int signature_cache_size = 4096;
  bool registry_pull_secrets = true;
  std::string registry_ca_file = {};
  std::vector<std::string> insecure_registries = {};
  // Remediation around GitOps controllers (docs/remediation.md).
  std::string argocd_instance_label =
      std::string(controllers::kDefaultArgoCdInstanceLabel);  // "": not read
  int remediation_patches_per_hour = 30;                      // per workload; 0: no limit
  int remediation_revert_window_seconds = 600;
  bool help = false;
  bool version = false;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Parses argv (without the program name) over the environment. Errors name the flag or the
// variable and the value: "--workers: \"x\" is not a whole number".
Result<Options> ParseOptions(std::span<const std::string> args, const EnvLookup& env);

// The --help text: every flag with its variable, default and meaning.
std::string Usage();

}  // namespace csp::manager
