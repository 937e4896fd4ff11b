#include "csp/imageverify/policy_signatures.h"

#include "csp/policy/signature_keys.h"
#include "csp/signature/public_key.h"

namespace csp::imageverify {

PolicyKeys ResolvePolicyKeys(const policy::Policy& policy, const SecretKeyReader& read_secret) {
  PolicyKeys out;
  for (const policy::SignatureKeySpec& spec : policy::SignatureKeys(policy)) {
    std::string pem = spec.public_key_pem;
    if (spec.secret_ref) {
      const std::string what = "key " + spec.name + " (secretRef " + spec.secret_ref->ns + "/" +
                               spec.secret_ref->name + ")";
      if (!read_secret) {
        out.problems.push_back(what + " cannot be read offline");
        continue;
      }
      Result<std::string> text = read_secret(*spec.secret_ref);
      if (!text) {
        out.problems.push_back(what + ": " + text.error().message);
        continue;
      }
      pem = std::move(*text);
    }
    Result<signature::PublicKey> key = signature::ParsePublicKey(pem);
    if (!key) {
      out.problems.push_back("key " + spec.name + ": " + key.error().message);
      continue;
    }
    out.keys.push_back({.name = spec.name, .key = std::move(*key)});
  }
  const policy::TransparencyLogSpec tlog = policy::TransparencyLog(policy);
  out.tlog.required = tlog.required;
  for (const policy::SignatureKeySpec& spec : tlog.public_keys) {
    Result<signature::PublicKey> key = signature::ParsePublicKey(spec.public_key_pem);
    if (!key) {
      out.problems.push_back("rekor key " + spec.name + ": " + key.error().message);
      continue;
    }
    out.tlog.rekor_keys.push_back({.name = spec.name, .key = std::move(*key)});
  }
  return out;
}

PolicyKeys InlinePolicyKeys(const policy::Policy& policy) { return ResolvePolicyKeys(policy, {}); }

PolicySignatures::PolicySignatures(Verifier& verifier, PolicyKeys keys,
                                   const registry::Keychain& keychain)
    : PolicySignatures(verifier, std::make_shared<const PolicyKeys>(std::move(keys)), keychain) {}

PolicySignatures::PolicySignatures(Verifier& verifier, std::shared_ptr<const PolicyKeys> keys,
                                   const registry::Keychain& keychain)
    : verifier_(verifier), keys_(std::move(keys)), keychain_(keychain) {}

std::optional<policy::SignatureVerdict> PolicySignatures::Lookup(std::string_view image,
                                                                 std::string* detail) const {
  std::string problems;
  for (const std::string& p : keys_->problems) problems += (problems.empty() ? "" : "; ") + p;
  if (keys_->keys.empty()) {
    *detail = problems;
    return policy::SignatureVerdict::kError;
  }
  VerifyResult r = verifier_.Verify(image, keys_->keys, keychain_, keys_->tlog);
  if (r.verdict == policy::SignatureVerdict::kVerified) {
    std::lock_guard lock(mu_);
    verified_.insert_or_assign(std::string(image), r.digest);
    return r.verdict;
  }
  if (!problems.empty()) {
    *detail = r.detail + "; " + problems;
    return policy::SignatureVerdict::kError;
  }
  *detail = r.detail;
  return r.verdict;
}

std::string PolicySignatures::VerifiedDigest(std::string_view image) const {
  std::lock_guard lock(mu_);
  auto it = verified_.find(image);
  return it == verified_.end() ? std::string() : it->second;
}

}  // namespace csp::imageverify
