#include "csp/manager/image_verification.h"

#include <algorithm>

#include "csp/common/json_fields.h"
#include "csp/log/log.h"
#include "csp/manager/resources.h"
#include "csp/manager/webhook_sync.h"
#include "csp/policy/signature_keys.h"

namespace csp::manager {

using json = nlohmann::json;

namespace {

// The names of `object`'s imagePullSecrets ([{name}]); anything else in it is ignored.
std::vector<std::string> PullSecretNames(const json& object) {
  std::vector<std::string> out;
  const json* list = FieldAt(object, "imagePullSecrets");
  if (list == nullptr || !list->is_array()) return out;
  for (const json& item : *list) {
    if (std::string_view name = StringAt(item, "name"); !name.empty()) out.emplace_back(name);
  }
  return out;
}

// The pod's ServiceAccount: serviceAccountName, else its old alias serviceAccount, else
// "default", as the API server fills it in.
std::string ServiceAccountName(const json& pod_spec) {
  for (const char* key : {"serviceAccountName", "serviceAccount"}) {
    if (std::string_view name = StringAt(pod_spec, key); !name.empty()) return std::string(name);
  }
  return "default";
}

// What a policy's keys are resolved from: equal specs resolve to equal keys.
std::string SpecText(const policy::Policy& policy) {
  std::string out;
  for (const policy::SignatureKeySpec& k : policy::SignatureKeys(policy)) {
    out += k.name + '\n' + k.public_key_pem + '\n';
    if (k.secret_ref) out += k.secret_ref->ns + '/' + k.secret_ref->name + '/' + k.secret_ref->key;
    out += '\n';
  }
  const policy::TransparencyLogSpec tlog = policy::TransparencyLog(policy);
  out += tlog.required ? "tlog required\n" : "tlog\n";
  for (const policy::SignatureKeySpec& k : tlog.public_keys) {
    out += k.name + '\n' + k.public_key_pem + '\n';
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ImageVerification>> ImageVerification::New(
    kube::Client& client, ImageVerificationSettings settings, kube::Clock& clock) {
  std::unique_ptr<ImageVerification> out(new ImageVerification(client, std::move(settings), clock));
  registry::ClientOptions options;
  options.tls.ca_bundle_pem = out->settings_.ca_bundle_pem;
  const auto interval = out->recheck_interval();
  CSP_TRY(out->registry_,
          imageverify::OpenRegistryVerifier(
              std::move(options), out->settings_.insecure_registries, clock,
              {.cache_size = out->settings_.cache_size,
               .ttl = interval,
               .error_ttl = std::min<kube::Clock::Duration>(std::chrono::seconds(30), interval)}));
  return out;
}

ImageVerification::ImageVerification(kube::Client& client, ImageVerificationSettings settings,
                                     kube::Clock& clock)
    : kube_(client), settings_(std::move(settings)), clock_(clock) {}

std::chrono::seconds ImageVerification::recheck_interval() const {
  return std::max<std::chrono::seconds>(std::chrono::seconds(1), settings_.recheck_period / 2);
}

Result<std::optional<json>> ImageVerification::GetKept(const kube::ResourceRef& resource,
                                                       const std::string& ns,
                                                       const std::string& name) {
  const std::string key = resource.resource + "/" + ns + "/" + name;
  const auto now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    auto it = kept_.find(key);
    if (it != kept_.end() && it->second.expires > now) return it->second.object;
    // Entries of objects nobody asks for any more go in one sweep per interval, not one per
    // miss (a pass over thousands of workloads misses once per Secret).
    if (now >= next_sweep_) {
      std::erase_if(kept_, [&](const auto& entry) { return entry.second.expires <= now; });
      next_sweep_ = now + recheck_interval();
    }
  }
  Result<std::optional<json>> object = std::optional<json>();
  if (auto got = kube_.Get(resource, ns, name); got) {
    object = std::optional<json>(std::move(*got));
  } else if (got.error().code != Code::kNotFound) {
    object = got.error();
  }
  std::lock_guard lock(mu_);
  // Errors are not kept: the next workload asks again.
  if (object) kept_.insert_or_assign(key, Kept{object, now + recheck_interval()});
  return object;
}

Result<std::string> ImageVerification::ReadKeySecret(
    const policy::SignatureKeySpec::SecretRef& ref) {
  const auto& allowed = settings_.key_namespaces;
  if (std::find(allowed.begin(), allowed.end(), ref.ns) == allowed.end()) {
    std::string list;
    for (const std::string& ns : allowed) list += (list.empty() ? "" : ", ") + ns;
    return InvalidArgument(
        "namespace " + ref.ns +
        " is not one csp-operator reads keys from (--signature-key-namespaces: " + list + ")");
  }
  CSP_TRY(auto secret, GetKept(kSecrets, ref.ns, ref.name));
  if (!secret) return Error{Code::kNotFound, "secret " + ref.ns + "/" + ref.name + " not found"};
  const certs::SecretData data = DecodeSecretData(*secret);
  auto it = data.find(ref.key);
  if (it == data.end()) {
    return Error{Code::kNotFound, "secret " + ref.ns + "/" + ref.name + " has no key " + ref.key};
  }
  return it->second;
}

std::shared_ptr<const imageverify::PolicyKeys> ImageVerification::KeysFor(
    const policy::Policy& policy) {
  std::string spec = SpecText(policy);
  const auto now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    auto it = policy_keys_.find(policy.name);
    if (it != policy_keys_.end() && it->second.spec == spec && it->second.expires > now) {
      return it->second.keys;
    }
  }
  auto keys = std::make_shared<const imageverify::PolicyKeys>(imageverify::ResolvePolicyKeys(
      policy,
      [this](const policy::SignatureKeySpec::SecretRef& ref) { return ReadKeySecret(ref); }));
  for (const std::string& problem : keys->problems) {
    LogWarn("a signature key cannot be used", {{"policy", policy.name}, {"problem", problem}});
  }
  std::lock_guard lock(mu_);
  // Inline keys never change under the same spec; Secrets are read again after the interval.
  policy_keys_.insert_or_assign(policy.name,
                                PolicyKeysEntry{std::move(spec), keys, now + recheck_interval()});
  return keys;
}

void ImageVerification::AddPullSecret(const std::string& ns, const std::string& name,
                                      registry::Keychain& out) {
  auto secret = GetKept(kSecrets, ns, name);
  if (!secret || !*secret) {
    LogDebug("image pull secret not read",
             {{"secret", ns + "/" + name},
              {"error", secret ? std::string("not found") : secret.error().message}});
    return;
  }
  const certs::SecretData data = DecodeSecretData(**secret);
  for (const char* key : {".dockerconfigjson", ".dockercfg"}) {
    auto it = data.find(key);
    if (it == data.end()) continue;
    if (Status s = out.Add(it->second); !s) {
      LogDebug("image pull secret is not a docker config",
               {{"secret", ns + "/" + name}, {"error", s.error().message}});
    }
    return;
  }
}

registry::Keychain ImageVerification::PullKeychain(const policy::Workload& workload) {
  registry::Keychain out;
  if (!settings_.pull_secrets) return out;
  const std::string& ns = workload.ref.ns;
  static const json kNone = json::object();
  const json& pod_spec = workload.pod_spec != nullptr ? *workload.pod_spec : kNone;
  for (const std::string& name : PullSecretNames(pod_spec)) AddPullSecret(ns, name, out);
  auto sa = GetKept(kServiceAccounts, ns, ServiceAccountName(pod_spec));
  if (sa && *sa) {
    for (const std::string& name : PullSecretNames(**sa)) AddPullSecret(ns, name, out);
  }
  return out;
}

const policy::ImageSignatures* WorkloadSignatures::For(const policy::Policy& policy,
                                                       const policy::Workload& workload) {
  if (verification_ == nullptr || policy::SignatureKeys(policy).empty()) return nullptr;
  auto it = by_policy_.find(policy.name);
  if (it != by_policy_.end()) return it->second.get();
  if (!keychain_) keychain_ = verification_->PullKeychain(workload);
  auto signatures = std::make_unique<imageverify::PolicySignatures>(
      verification_->verifier(), verification_->KeysFor(policy), *keychain_);
  return by_policy_.emplace(policy.name, std::move(signatures)).first->second.get();
}

}  // namespace csp::manager
