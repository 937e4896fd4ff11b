// Cosign signature verification in the cluster (docs/signatures.md "In the cluster"): one
// registry client and one Verifier, shared by the reconcilers and the admission webhook so that
// both read one cache; each policy's keys, with secretRef keys read from the namespaces the
// admin names and nowhere else; each workload's registry credentials, from its imagePullSecrets
// and its ServiceAccount's, as the kubelet would pull with.
//
// Secrets and ServiceAccounts are read with GET (RBAC: get, never list or watch) and kept for
// the recheck interval, so a pass over ten thousand workloads asks once per Secret, and a key
// rotated in its Secret counts within one recheck period.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "csp/common/result.h"
#include "csp/imageverify/policy_signatures.h"
#include "csp/imageverify/registry_verifier.h"
#include "csp/imageverify/verifier.h"
#include "csp/kube/client.h"
#include "csp/kube/clock.h"
#include "csp/policy/eval_context.h"
#include "csp/policy/policy.h"
#include "csp/policy/workload.h"
#include "csp/registry/client.h"
#include "csp/registry/credentials.h"

namespace csp::manager {

struct ImageVerificationSettings {
  std::vector<std::string> key_namespaces = {};       // where secretRef keys may be read
  bool pull_secrets = true;                           // read workloads' registry credentials
  std::string ca_bundle_pem = {};                     // trusted besides the system CAs
  std::vector<std::string> insecure_registries = {};  // plain HTTP, by host[:port]
  // Verdicts are kept half of this and running workloads are evaluated again every half, so a
  // change (a deleted signature, a key rotated out, a tag moved) shows within one period.
  std::chrono::seconds recheck_period{300};
  std::size_t cache_size = 4096;
};

class ImageVerification {
 public:
  // kInvalidArgument when the CA bundle does not parse. `client` and `clock` must outlive it.
  static Result<std::unique_ptr<ImageVerification>> New(kube::Client& client,
                                                        ImageVerificationSettings settings,
                                                        kube::Clock& clock = kube::SteadyClock());

  // The policy's keys, parsed (shared: one copy serves every workload). secretRef keys from a
  // namespace not named in key_namespaces, or whose Secret cannot be read, are problems naming
  // the key and why; the policy's other keys still count.
  std::shared_ptr<const imageverify::PolicyKeys> KeysFor(const policy::Policy& policy);

  // The workload's registry credentials: its pod spec's imagePullSecrets, then its
  // ServiceAccount's (default "default"), kubernetes.io/dockerconfigjson or dockercfg; the
  // first one naming a host wins. A Secret that is missing or not a docker config is skipped,
  // as the kubelet does. Empty without pull_secrets.
  registry::Keychain PullKeychain(const policy::Workload& workload);

  imageverify::Verifier& verifier() { return *registry_.verifier; }
  // How often running workloads are evaluated again: half the recheck period.
  std::chrono::seconds recheck_interval() const;

 private:
  ImageVerification(kube::Client& client, ImageVerificationSettings settings, kube::Clock& clock);
  // GET of a namespaced object, kept for recheck_interval (a 404 too, as nullopt).
  Result<std::optional<nlohmann::json>> GetKept(const kube::ResourceRef& resource,
                                                const std::string& ns, const std::string& name);
  Result<std::string> ReadKeySecret(const policy::SignatureKeySpec::SecretRef& ref);
  void AddPullSecret(const std::string& ns, const std::string& name, registry::Keychain& out);

  kube::Client& kube_;
  const ImageVerificationSettings settings_;
  kube::Clock& clock_;
  imageverify::RegistryVerifier registry_;

  struct Kept {
    Result<std::optional<nlohmann::json>> object;
    kube::Clock::TimePoint expires;
  };
  struct PolicyKeysEntry {
    std::string spec;  // the key specs it was resolved from
    std::shared_ptr<const imageverify::PolicyKeys> keys;
    kube::Clock::TimePoint expires;
  };
  std::mutex mu_;
  std::map<std::string, Kept> kept_;                    // "<resource>/<ns>/<name>"
  kube::Clock::TimePoint next_sweep_ = {};              // when expired entries of kept_ go next
  std::map<std::string, PolicyKeysEntry> policy_keys_;  // by policy name
};

// One workload's signatures under each policy (EvaluateWorkload's SignaturesFor): made on first
// use, with the workload's credentials read once. Lives while the evaluation's results are read.
class WorkloadSignatures {
 public:
  explicit WorkloadSignatures(ImageVerification* verification) : verification_(verification) {}
  WorkloadSignatures(const WorkloadSignatures&) = delete;
  WorkloadSignatures& operator=(const WorkloadSignatures&) = delete;

  // Null when verification is off or the policy has no keys (the engine then asks nothing).
  const policy::ImageSignatures* For(const policy::Policy& policy,
                                     const policy::Workload& workload);

 private:
  ImageVerification* verification_;
  std::optional<registry::Keychain> keychain_;
  std::map<std::string, std::unique_ptr<imageverify::PolicySignatures>> by_policy_;
};

}  // namespace csp::manager
