#include "csp/manager/options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <vector>

namespace csp::manager {
namespace {

struct Flag {
  std::string_view name;  // without the leading dashes
  std::string_view help;
  // Sets the option from text; an error message (without the flag's name) when it is bad.
  std::function<std::optional<std::string>(Options&, std::string_view)> set;
  bool is_switch = false;  // a bool flag: "--x" alone means true
};

std::string EnvName(std::string_view flag) {
  std::string name = "CSP_";
  for (char c : flag) name += c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return name;
}

template <typename Int>
std::optional<std::string> SetInt(Int& out, std::string_view text, Int min) {
  Int v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return "\"" + std::string(text) + "\" is not a whole number";
  }
  if (v < min) return "\"" + std::string(text) + "\" is below " + std::to_string(min);
  out = v;
  return std::nullopt;
}

std::optional<std::string> SetDouble(double& out, std::string_view text) {
  char* end = nullptr;
  const std::string s(text);
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || v < 0) return "\"" + s + "\" is not a number >= 0";
  out = v;
  return std::nullopt;
}

std::optional<std::string> SetBool(bool& out, std::string_view text) {
  if (text == "true" || text == "1") {
    out = true;
  } else if (text == "false" || text == "0") {
    out = false;
  } else {
    return "\"" + std::string(text) + "\" is not true or false";
  }
  return std::nullopt;
}

std::optional<std::string> SetOneOf(std::string& out, std::string_view text,
                                    std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (std::string_view a : allowed) {
    if (a == text) {
      out = std::string(text);
      return std::nullopt;
    }
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return "\"" + std::string(text) + "\" is not one of " + list;
}

auto String(std::string Options::*member) {
  return [member](Options& o, std::string_view v) -> std::optional<std::string> {
    o.*member = std::string(v);
    return std::nullopt;
  };
}

// A comma-separated list; spaces around items and empty items are dropped.
auto List(std::vector<std::string> Options::*member) {
  return [member](Options& o, std::string_view v) -> std::optional<std::string> {
    std::vector<std::string>& out = o.*member;
    out.clear();
    while (!v.empty()) {
      const auto comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
    return std::nullopt;
  };
}

auto Int(int Options::*member, int min) {
  return [member, min](Options& o, std::string_view v) { return SetInt(o.*member, v, min); };
}

const std::vector<Flag>& Flags() {
  static const std::vector<Flag> flags = {
      {"kubeconfig", "kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)",
       String(&Options::kubeconfig)},
      {"context", "kubeconfig context (default: its current-context)", String(&Options::context)},
      {"listen-address", "host:port of /healthz, /readyz and /metrics (default 0.0.0.0:8080)",
       String(&Options::listen_address)},
      {"log-format", "text or json (default text)",
       [](Options& o, std::string_view v) {
         return SetOneOf(o.log_format, v, {"text", "json"});
       }},
      {"log-level", "debug, info, warn or error (default info)",
       [](Options& o, std::string_view v) {
         return SetOneOf(o.log_level, v, {"debug", "info", "warn", "error"});
       }},
      {"report-api",
       "the reports written: wgpolicyk8s (PolicyReport), openreports (Report, openreports.io) "
       "or both (default wgpolicyk8s); the other API's reports of ours are deleted",
       [](Options& o, std::string_view v) {
         return SetOneOf(o.report_api, v, {"wgpolicyk8s", "openreports", "both"});
       }},
      {"workers", "reconcile workers (default 4)", Int(&Options::workers, 1)},
      {"kube-api-qps", "client-side API request rate (default 50; 0 disables)",
       [](Options& o, std::string_view v) { return SetDouble(o.kube_api_qps, v); }},
      {"kube-api-burst", "requests allowed at once above the rate (default 100)",
       Int(&Options::kube_api_burst, 1)},
      {"list-mode",
       "how the caches take the current state: list (paginated LISTs) or watch (a streaming "
       "list, sendInitialEvents; LIST where the server refuses it) (default list)",
       [](Options& o, std::string_view v) {
         return SetOneOf(o.list_mode, v, {"list", "watch"});
       }},
      {"leader-elect", "elect a leader on a Lease so that replicas can run (default true)",
       [](Options& o, std::string_view v) { return SetBool(o.leader_elect, v); }, true},
      {"lease-namespace", "namespace of the Lease (default: the pod's, else csp-system)",
       String(&Options::lease_namespace)},
      {"lease-name", "name of the Lease (default csp-operator)", String(&Options::lease_name)},
      {"identity", "this replica's name in the Lease (default <hostname>_<pid>)",
       String(&Options::identity)},
      {"lease-duration", "seconds a leader's Lease lasts unrenewed (default 15)",
       Int(&Options::lease_duration, 1)},
      {"renew-deadline", "seconds a leader keeps trying to renew before giving up (default 10)",
       Int(&Options::renew_deadline, 1)},
      {"retry-period", "seconds between Lease attempts (default 2)",
       Int(&Options::retry_period, 1)},
      {"webhook-listen-address",
       "host:port of the admission webhook (HTTPS; default 0.0.0.0:9443; empty: no webhook)",
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         o.webhook_listen_address = std::string(v);
         return std::nullopt;
       }},
      {"webhook-url",
       "the URL the API server calls (clientConfig.url, e.g. https://127.0.0.1:9443/validate; "
       "default: the Service)",
       String(&Options::webhook_url)},
      {"webhook-service",
       "the webhook's Service in the operator's namespace, port 443 "
       "(default csp-operator-webhook)",
       String(&Options::webhook_service)},
      {"webhook-configuration",
       "name of the ValidatingWebhookConfiguration the operator owns (default csp-operator)",
       String(&Options::webhook_configuration)},
      {"webhook-failure-policy",
       "Fail or Ignore: what the API server does with Deny policies' requests when the "
       "webhook cannot answer (default Fail; Warn policies always Ignore)",
       [](Options& o, std::string_view v) {
         return SetOneOf(o.webhook_failure_policy, v, {"Fail", "Ignore"});
       }},
      {"webhook-timeout-seconds", "seconds the API server waits for the webhook, 1-30 (default 5)",
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         if (auto problem = SetInt(o.webhook_timeout_seconds, v, 1)) return problem;
         if (o.webhook_timeout_seconds > 30) return "\"" + std::string(v) + "\" is above 30";
         return std::nullopt;
       }},
      {"webhook-exclude-namespaces",
       "comma-separated namespaces never sent to the webhook, besides the operator's own "
       "(default kube-system)",
       List(&Options::webhook_exclude_namespaces)},
      {"webhook-cert-secret",
       "Secret in the operator's namespace holding the webhook's certificates "
       "(default csp-operator-webhook-cert)",
       String(&Options::webhook_cert_secret)},
      {"webhook-cert-provider",
       "operator (the operator creates and rotates the certificates) or external (another "
       "tool, e.g. cert-manager, writes tls.crt, tls.key and ca.crt; default operator)",
       [](Options& o, std::string_view v) {
         return SetOneOf(o.webhook_cert_provider, v, {"operator", "external"});
       }},
      {"webhook-threads", "threads serving the webhook (default 2)",
       Int(&Options::webhook_threads, 1)},
      {"webhook-ca-lifetime-seconds",
       "validity of the webhook CA the operator makes (default 31536000, a year); renewed, with "
       "an overlap, in its last third",
       Int(&Options::webhook_ca_lifetime_seconds, 60)},
      {"webhook-cert-lifetime-seconds",
       "validity of the webhook's serving certificate (default 7776000, 90 days); renewed in "
       "its last third",
       Int(&Options::webhook_cert_lifetime_seconds, 30)},
      {"signature-key-namespaces",
       "comma-separated namespaces whose Secrets policies' secretRef signature keys may name "
       "(default: the operator's own)",
       List(&Options::signature_key_namespaces)},
      {"signature-recheck-seconds",
       "running workloads' image signatures are verified again within this many seconds: a "
       "deleted signature, a rotated key or a moved tag shows in the reports by then "
       "(default 300)",
       Int(&Options::signature_recheck_seconds, 2)},
      {"signature-cache-size", "verification results kept (default 4096)",
       Int(&Options::signature_cache_size, 1)},
      {"registry-pull-secrets",
       "read images with the workload's imagePullSecrets and its ServiceAccount's (needs get on "
       "secrets and serviceaccounts in every namespace; default true)",
       [](Options& o, std::string_view v) { return SetBool(o.registry_pull_secrets, v); }, true},
      {"registry-ca-file", "PEM CA bundle trusted for registries besides the system CAs",
       String(&Options::registry_ca_file)},
      {"insecure-registries",
       "comma-separated registry hosts (host[:port] as in image references) reached over plain "
       "HTTP",
       List(&Options::insecure_registries)},
      {"argocd-instance-label",
       "the label Argo CD's label tracking writes; its value names the workload's Argo CD "
       "application in the managedBy property ('' reads only the tracking-id annotation; "
       "default app.kubernetes.io/instance)",
       String(&Options::argocd_instance_label)},
      {"remediation-patches-per-hour",
       "remediation patches allowed per workload in any hour, whatever the cause (default 30; 0: "
       "no limit)",
       Int(&Options::remediation_patches_per_hour, 0)},
      {"remediation-revert-window-seconds",
       "a ScaleDown of a GitOps-managed workload put back by another field manager twice within "
       "this many seconds is not re-applied until the workload's pod template changes (default "
       "600; 0: always re-applied, within the patch budget)",
       Int(&Options::remediation_revert_window_seconds, 0)},
      {"help", "print this help and exit",
       [](Options& o, std::string_view v) { return SetBool(o.help, v); }, true},
      {"version", "print the version and exit",
       [](Options& o, std::string_view v) { return SetBool(o.version, v); }, true},
  };
  return flags;
}

const Flag* FindFlag(std::string_view name) {
  for (const Flag& f : Flags()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

Result<Options> ParseOptions(std::span<const std::string> args, const EnvLookup& env) {
  Options options;
  for (const Flag& flag : Flags()) {
    if (flag.name == "help" || flag.name == "version") continue;
    const std::string var = EnvName(flag.name);
    if (auto value = env ? env(var) : std::nullopt; value && !value->empty()) {
      if (auto problem = flag.set(options, *value)) return InvalidArgument(var + ": " + *problem);
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h") arg = "--help";
    if (!arg.starts_with("--")) {
      return InvalidArgument("unexpected argument \"" + std::string(arg) + "\" (see --help)");
    }
    arg.remove_prefix(2);
    std::optional<std::string_view> value;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const Flag* flag = FindFlag(arg);
    if (!flag) return InvalidArgument("unknown flag --" + std::string(arg) + " (see --help)");
    if (!value) {
      if (flag->is_switch) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return InvalidArgument("--" + std::string(arg) + " needs a value");
      }
    }
    if (auto problem = flag->set(options, *value)) {
      return InvalidArgument("--" + std::string(arg) + ": " + *problem);
    }
  }
  if (options.renew_deadline >= options.lease_duration) {
    return InvalidArgument("--renew-deadline (" + std::to_string(options.renew_deadline) +
                           ") must be below --lease-duration (" +
                           std::to_string(options.lease_duration) + ")");
  }
  if (options.retry_period * 12 >= options.renew_deadline * 10) {
    return InvalidArgument("--retry-period (" + std::to_string(options.retry_period) +
                           ") times 1.2 must be below --renew-deadline (" +
                           std::to_string(options.renew_deadline) + ")");
  }
  return options;
}

std::string Usage() {
  std::string out =
      "Usage: csp-operator [flags]\n\n"
      "Keeps every workload's ContainerSecurityPolicy verdict in PolicyReports and acts on\n"
      "violators (docs/operator.md). Every flag can also be set by the environment variable\n"
      "shown; a flag wins.\n\nFlags:\n";
  for (const Flag& f : Flags()) {
    std::string name = "  --" + std::string(f.name) + (f.is_switch ? "" : " VALUE");
    name.resize(std::max<std::size_t>(name.size() + 1, 28), ' ');
    out += name + std::string(f.help);
    if (f.name != "help" && f.name != "version") out += " [" + EnvName(f.name) + "]";
    out += "\n";
  }
  return out;
}

}  // namespace csp::manager
