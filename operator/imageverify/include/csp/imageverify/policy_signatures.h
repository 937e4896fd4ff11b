// The engine's ImageSignatures for one policy: that policy's keys, a shared Verifier and the
// caller's credentials. The verdict depends on the keys, so each policy gets its own (the
// engine stays pure; the caller passes it in EvalContext).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "csp/imageverify/verifier.h"
#include "csp/policy/policy.h"
#include "csp/policy/signature_keys.h"
#include "csp/registry/credentials.h"
#include "csp/signature/verdict.h"

namespace csp::imageverify {

struct PolicyKeys {
  std::vector<signature::NamedKey> keys = {};
  signature::TlogOptions tlog = {};  // transparencyLog: required, and its Rekor keys
  // Keys that could not be used, each named: `key backup (secretRef csp/cosign) cannot be read
  // offline`, `key release: <parse error>`.
  std::vector<std::string> problems = {};
};

// A secretRef key's PEM text (the Secret's data[key], decoded), or why it cannot be had: the
// message names the Secret ("secret csp/cosign not found", "... has no key cosign.pub").
using SecretKeyReader =
    std::function<Result<std::string>(const policy::SignatureKeySpec::SecretRef& ref)>;

// The policy's keys, parsed: inline publicKey keys, secretRef keys through `read_secret`, and
// the transparencyLog settings. A key that cannot be read or parsed is a problem naming it; the
// others still count.
PolicyKeys ResolvePolicyKeys(const policy::Policy& policy, const SecretKeyReader& read_secret);

// The policy's inline publicKey keys and transparencyLog Rekor keys, parsed (a Rekor key that
// does not parse is a problem: `rekor key public-good: <parse error>`). secretRef keys are
// problems: without a cluster there is no Secret to read.
PolicyKeys InlinePolicyKeys(const policy::Policy& policy);

class PolicySignatures : public policy::ImageSignatures {
 public:
  // `verifier` and `keychain` must outlive this.
  PolicySignatures(Verifier& verifier, PolicyKeys keys, const registry::Keychain& keychain);
  // Keys shared by many (the operator resolves a policy's keys once for every workload).
  PolicySignatures(Verifier& verifier, std::shared_ptr<const PolicyKeys> keys,
                   const registry::Keychain& keychain);

  // kVerified when a usable key verifies. Otherwise, with unusable keys kError naming them (one
  // of them might have verified); else the verifier's verdict.
  std::optional<policy::SignatureVerdict> Lookup(std::string_view image,
                                                 std::string* detail) const override;
  std::string VerifiedDigest(std::string_view image) const override;

 private:
  Verifier& verifier_;
  std::shared_ptr<const PolicyKeys> keys_;
  const registry::Keychain& keychain_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::string, std::less<>> verified_;  // image -> digest
};

}  // namespace csp::imageverify
