#include "csp/manager/manager.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "csp/certs/certificates.h"
#include "csp/common/rfc3339.h"
#include "csp/log/log.h"
#include "csp/manager/event_handlers.h"
#include "csp/manager/metrics.h"
#include "csp/manager/queue_keys.h"
#include "csp/manager/report_apis.h"
#include "csp/manager/resources.h"
#include "csp/manager/routes.h"
#include "csp/manager/vap_sync.h"
#include "csp/policy/signature_keys.h"

namespace csp::manager {

namespace {

Result<std::unique_ptr<ImageVerification>> NewImageVerification(const Options& options,
                                                                kube::Client& client) {
  ImageVerificationSettings settings{
      .key_namespaces = options.signature_key_namespaces,
      .pull_secrets = options.registry_pull_secrets,
      .insecure_registries = options.insecure_registries,
      .recheck_period = std::chrono::seconds(options.signature_recheck_seconds),
      .cache_size = static_cast<std::size_t>(options.signature_cache_size)};
  if (settings.key_namespaces.empty()) settings.key_namespaces = {options.lease_namespace};
  if (!options.registry_ca_file.empty()) {
    std::ifstream in(options.registry_ca_file, std::ios::binary);
    std::ostringstream pem;
    pem << in.rdbuf();
    if (!in) return InvalidArgument("--registry-ca-file: cannot read " + options.registry_ca_file);
    settings.ca_bundle_pem = std::move(pem).str();
  }
  auto made = ImageVerification::New(client, std::move(settings));
  if (!made) return InvalidArgument("--registry-ca-file: " + made.error().message);
  return made;
}

bool VerifiesSignatures(const PolicySet& policies) {
  return std::any_of(policies.valid.begin(), policies.valid.end(),
                     [](const policy::Policy& p) { return !policy::SignatureKeys(p).empty(); });
}

}  // namespace

Manager::Manager(const Options& options, kube::Client& client, kube::Client& lease_client,
                 kube::Client& events_client)
    : options_(options),
      client_(client),
      lease_client_(lease_client),
      events_client_(events_client),
      report_apis_(names::ReportApisOf(options.report_api)),
      caches_(
          client,
          [](std::string_view resource, const Error& e) {
            LogWarn("list/watch failed; retrying", {{"resource", resource}, {"error", e.message}});
          },
          report_apis_, options.list_mode == "watch"),
      custom_kinds_(client,
                    {.changed = [this](const std::string& ns) { queue_->Add(NamespaceKey(ns)); },
                     .declarations_changed = [this] { EnqueueAllNamespaces(); },
                     .forget = [this](const std::string& key) { written_workloads_.Forget(key); },
                     .on_error =
                         [](std::string_view resource, const Error& e) {
                           LogWarn("list/watch failed; retrying",
                                   {{"resource", resource}, {"error", e.message}});
                         }},
                    options.list_mode == "watch"),
      events_(events_client, options.identity),
      remediation_guard_(
          {.revert_window = std::chrono::seconds(options.remediation_revert_window_seconds),
           .patches_per_hour = options.remediation_patches_per_hour}),
      image_verification_status_([&]() -> Status {
        auto made = NewImageVerification(options, client);
        if (!made) return made.error();
        image_verification_ = std::move(*made);
        return {};
      }()),
      context_{.client = client,
               .caches = caches_,
               .policies = policies_,
               .node_facts = node_facts_,
               .tallies = tallies_,
               .events = events_,
               .written_workloads = written_workloads_,
               .written_reports = written_reports_,
               .now = [] { return std::chrono::system_clock::now(); },
               .image_verification = image_verification_.get(),
               .remediation_guard = &remediation_guard_,
               .argocd_instance_label = options.argocd_instance_label,
               .custom_kinds = &custom_kinds_,
               .report_digests = &report_digests_},
      dispatcher_(*queue_, Actions(), metrics_),
      webhook_settings_(WebhookSyncSettingsFrom(options)) {
  RegisterEventHandlers(caches_, {.queue = *queue_,
                                  .policies_changed =
                                      [this] {
                                        RebuildPolicies();
                                        EnqueueAllNamespaces();
                                        if (WebhookEnabled()) {
                                          queue_->AddAfter(std::string(kWebhookKey), kWebhookDelay);
                                        }
                                      },
                                  .nodes_changed = [this] { admission_facts_stale_ = true; },
                                  .written_workloads = written_workloads_,
                                  .written_reports = written_reports_});
  if (!WebhookEnabled()) return;
  tls_ = std::make_shared<serve::TlsCredentials>();
  admission_ = std::make_unique<AdmissionHandler>(AdmissionSources{
      .policies = policies_,
      .caches = caches_,
      .node_facts = [this] { return AdmissionNodeFacts(); },
      .now =
          [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); },
      .ready = [this] { return Ready(); },
      .image_verification = image_verification_.get()});
  kube::InformerOptions secret_options{
      .resource = kSecrets,
      .ns = webhook_settings_.ns,
      .field_selector = "metadata.name=" + webhook_settings_.secret_name,
      .on_error = [](const Error& e) {
        LogWarn("list/watch failed; retrying", {{"resource", "secrets"}, {"error", e.message}});
      }};
  webhook_secret_ = std::make_unique<kube::Informer<nlohmann::json>>(client, secret_options);
  // Every replica loads what the leader writes. The leader puts back a Secret that someone
  // deleted; one edited by hand is put right at the next periodic sync (reacting to every
  // update would also react to the leader's own writes).
  webhook_secret_->AddHandlers({
      .on_add = [this](const std::string&,
                       const nlohmann::json& secret) { LoadWebhookCertificate(secret); },
      .on_update = [this](const std::string&, const nlohmann::json&,
                          const nlohmann::json& secret) { LoadWebhookCertificate(secret); },
      .on_delete =
          [this](const std::string&, const nlohmann::json&) {
            if (leading_.load()) queue_->AddAfter(std::string(kWebhookKey), kWebhookDelay);
          },
  });
}

void Manager::LoadWebhookCertificate(const nlohmann::json& secret) {
  const certs::SecretData data = DecodeSecretData(secret);
  const auto cert = data.find(certs::kTlsCertKey);
  const auto key = data.find(certs::kTlsKeyKey);
  const std::string name = webhook_settings_.ns + "/" + webhook_settings_.secret_name;
  if (cert == data.end() || key == data.end()) {
    LogWarn("webhook Secret has no tls.crt and tls.key yet", {{"secret", name}});
    return;
  }
  if (auto s = tls_->Update(cert->second, key->second); !s) {
    LogWarn("webhook certificate not loaded; serving the previous one",
            {{"secret", name}, {"error", s.error().message}});
    return;
  }
  const auto info = certs::ReadCert(cert->second);
  const std::string expires = info ? FormatRfc3339(info->not_after) : "?";
  LogInfo("webhook certificate loaded", {{"secret", name}, {"expires", expires}});
}

std::shared_ptr<const policy::NodeFacts> Manager::AdmissionNodeFacts() {
  if (admission_facts_stale_.exchange(false)) {
    auto facts = std::make_shared<const policy::NodeFacts>(BuildNodeFacts(caches_));
    std::lock_guard lock(admission_facts_mu_);
    admission_facts_ = std::move(facts);
  }
  std::lock_guard lock(admission_facts_mu_);
  return admission_facts_;
}

Status Manager::SyncWebhookNow() {
  const auto policies = policies_.Current();
  auto outcome =
      SyncWebhook(client_, webhook_settings_, policies->valid,
                  std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  if (!outcome) return outcome.error();
  const std::string secret = webhook_settings_.ns + "/" + webhook_settings_.secret_name;
  if (!outcome->certificate_change.empty()) {
    LogInfo("webhook certificates changed",
            {{"secret", secret}, {"change", outcome->certificate_change}});
  }
  if (outcome->configuration_written) {
    LogInfo("webhook configuration written",
            {{"name", webhook_settings_.webhook.configuration_name}});
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto vaps = SyncValidatingAdmissionPolicies(
      client_,
      {.failure_policy = webhook_settings_.webhook.failure_policy,
       .exclude_namespaces = webhook_settings_.webhook.exclude_namespaces},
      policies->valid, now);
  if (!vaps) return vaps.error();
  if (vaps->applied > 0 || vaps->deleted > 0) {
    LogInfo("validating admission policies synced", {{"applied", std::to_string(vaps->applied)},
                                                     {"deleted", std::to_string(vaps->deleted)}});
  }
  auto next = outcome->next;
  if (vaps->regenerate_at) {
    // An exemption expires: the VAP must stop applying it (CEL reads no clock).
    next = std::min(
        next, std::max<std::chrono::seconds>(std::chrono::seconds(1), *vaps->regenerate_at - now));
  }
  queue_->AddAfter(std::string(kWebhookKey), next);
  return {};
}

serve::Routes Manager::WebhookRoutes() {
  serve::Routes routes;
  if (!admission_) return routes;
  routes[std::string(controllers::kWebhookPath)] = {
      .methods = {"POST"},
      .handler = [this](const serve::Request& request) { return admission_->Handle(request); }};
  routes[std::string(controllers::kDeferredWebhookPath)] = {
      .methods = {"POST"}, .handler = [this](const serve::Request& request) {
        return admission_->Handle(request, /*deferred=*/true);
      }};
  return routes;
}

Manager::~Manager() { Shutdown(); }

KeyActions Manager::Actions() {
  return {.reconcile_namespace =
              [this](const std::string& ns, bool remediate) {
                return ReconcileNamespace(context_, ns, remediate);
              },
          .reconcile_policy =
              [this](const std::string& name, const std::vector<std::string>& failed) {
                return ReconcilePolicy(context_, name, failed);
              },
          .requeue_policies = [this] { EnqueuePolicies(); },
          .nodes =
              [this] {
                if (RebuildNodeFacts()) {
                  LogInfo("node profiles changed; evaluating every namespace again");
                  EnqueueAllNamespaces();
                }
              },
          .expiry =
              [this] {
                if (expiry_.Expired(std::chrono::system_clock::now())) {
                  LogInfo("an exemption expired; evaluating everything again");
                  EnqueueEverything();
                }
                ScheduleExpiry();
              },
          .signatures = [this] { RecheckSignatures(); },
          .webhook = WebhookEnabled() ? std::function<Status()>([this] { return SyncWebhookNow(); })
                                      : nullptr,
          .stale_reports = WritesEveryReportApi() ? nullptr : std::function<Status()>([this] {
            auto deleted = DeleteStaleReports(client_, report_apis_);
            if (!deleted) return Status(deleted.error());
            if (*deleted > 0) {
              LogInfo("deleted our reports of the report APIs not written",
                      {{"report-api", options_.report_api}, {"count", std::to_string(*deleted)}});
            }
            return Status();
          }),
          .workload_kinds = [this] { return SyncWorkloadKinds(); }};
}

void Manager::RecheckSignatures() {
  if (!image_verification_) return;
  if (VerifiesSignatures(*policies_.Current())) {
    LogDebug("verifying image signatures again");
    EnqueueAllNamespaces();
  }
  queue_->AddAfter(std::string(kSignaturesKey), image_verification_->recheck_interval());
}

Status Manager::SyncWorkloadKinds() {
  Status s =
      custom_kinds_.Sync(caches_.workload_kinds.List(),
                         std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
                         stop_.get_token());
  queue_->AddAfter(std::string(kWorkloadKindsKey), kWorkloadKindsPeriod);
  return s;
}

void Manager::RebuildPolicies() {
  const auto objects = caches_.policies.List();
  policies_.Replace(std::make_shared<const PolicySet>(BuildPolicySet(objects)));
  ScheduleExpiry();
}

bool Manager::RebuildNodeFacts() { return node_facts_.Replace(BuildNodeFacts(caches_)); }

void Manager::ScheduleExpiry() {
  const auto delay = expiry_.Arm(*policies_.Current(), std::chrono::system_clock::now());
  if (delay) queue_->AddAfter(std::string(kExpiryKey), *delay);
}

void Manager::EnqueueAllNamespaces() {
  for (const std::string& ns : caches_.namespaces.Keys()) queue_->Add(NamespaceKey(ns));
}

void Manager::EnqueuePolicies() {
  for (const std::string& name : caches_.policies.Keys()) {
    queue_->AddAfter(PolicyKey(name), kPolicyDelay);
  }
}

void Manager::EnqueueEverything() {
  EnqueueAllNamespaces();
  EnqueuePolicies();
}

Status Manager::Start() {
  if (!image_verification_status_) return image_verification_status_;
  if (report_apis_.empty()) {
    return InvalidArgument("--report-api: \"" + options_.report_api + "\" is not " +
                           std::string(names::kReportApiChoices));
  }
  if (Status crds = RequireReportCrds(client_, report_apis_); !crds) return crds;
  caches_.Start(stop_.get_token());
  if (webhook_secret_) {
    webhook_secret_thread_ = std::jthread([this] { webhook_secret_->Run(stop_.get_token()); });
  }
  if (!options_.leader_elect) {
    leading_ = true;
    StartWorkers();
    return {};
  }
  return election_.Start(
      lease_client_, options_,
      [this] {
        leading_ = true;
        StartWorkers();
      },
      [this] {
        leading_ = false;
        if (shut_down_.load()) return;
        LogError("lost leadership; exiting", {{"identity", options_.identity}});
        lost_leadership_ = true;
        if (on_lost_) on_lost_();
      });
}

void Manager::StartWorkers() {
  memory_release_thread_ =
      std::jthread([this](std::stop_token stop) { memory_release_.Run(stop); });
  workers_.Start(
      *queue_, options_.workers, [this] { return PrepareTerm(); },
      [this](const kube::WorkQueue::Taken& taken) {
        // Never write without the Lease.
        if (leading_.load()) dispatcher_.Process(taken.key, taken.waited);
        memory_release_.Worked();
      });
}

bool Manager::PrepareTerm() {
  if (!caches_.WaitForSync(stop_.get_token())) return false;
  // The initial LISTs' pages are gone; give their memory back to the system.
  TrimHeap();
  dispatcher_.ExpectNamespaces(caches_.namespaces.Keys());
  RebuildPolicies();
  RebuildNodeFacts();
  // The declared kinds' first lists too, so that the first reports hold their results (bounded:
  // a kind the operator may not list never syncs, and is a status).
  if (Status s = SyncWorkloadKinds(); !s) {
    LogWarn("workload kinds: " + s.error().message);
  }
  custom_kinds_.WaitForSync(stop_.get_token(), std::chrono::seconds(30));
  EnqueueEverything();
  if (WebhookEnabled()) queue_->Add(std::string(kWebhookKey));
  if (!WritesEveryReportApi()) queue_->Add(std::string(kStaleReportsKey));
  if (image_verification_) {
    queue_->AddAfter(std::string(kSignaturesKey), image_verification_->recheck_interval());
  }
  LogInfo("caches synced; reconciling", {{"namespaces", std::to_string(caches_.namespaces.Size())},
                                         {"policies", std::to_string(caches_.policies.Size())}});
  return true;
}

void Manager::Shutdown() {
  if (shut_down_.exchange(true)) return;
  // Caches stop first (a worker still waiting for them gives up), then the workers finish the
  // keys they hold, and only then is the Lease released: no write after the release.
  stop_.request_stop();
  workers_.Stop(*queue_);
  if (memory_release_thread_.joinable()) {
    memory_release_thread_.request_stop();
    memory_release_thread_.join();
  }
  events_.Drain();
  election_.Stop();
  caches_.Join();
  custom_kinds_.Stop();
  if (webhook_secret_thread_.joinable()) webhook_secret_thread_.join();
}

serve::Routes Manager::Routes() {
  return HealthAndMetricsRoutes([this] { return Ready(); }, [this] { return MetricsText(); });
}

std::string Manager::MetricsText() const {
  const MetricsSources::Events events{.recorder = events_, .client = events_client_};
  return RenderMetrics({.reconcile = metrics_,
                        .queue = *queue_,
                        .caches = caches_,
                        .client = client_,
                        .lease_client = lease_client_,
                        .events = &events,
                        .tallies = tallies_,
                        .leading = leading_.load(),
                        .admission = admission_.get(),
                        .remediation_guard = &remediation_guard_,
                        .custom_kinds = &custom_kinds_});
}

}  // namespace csp::manager
