#include "csp/signature/verdict.h"

namespace csp::signature {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kVerified:
      return "verified";
    case Outcome::kNoSignature:
      return "no-signature";
    case Outcome::kBadSignature:
      return "bad-signature";
    case Outcome::kDigestMismatch:
      return "digest-mismatch";
    case Outcome::kMalformed:
      return "malformed";
    case Outcome::kTlogUnverified:
      return "tlog-unverified";
  }
  return "unknown";
}

Verdict Verified(std::string_view key_name) {
  return {Outcome::kVerified, std::string(key_name), "verified with key " + std::string(key_name)};
}

Verdict NoSignature() { return {Outcome::kNoSignature, "", "no signature"}; }

Verdict BadSignature(std::span<const NamedKey> keys) {
  std::string names;
  for (const NamedKey& k : keys) names += (names.empty() ? "" : ", ") + k.name;
  return {Outcome::kBadSignature, "", "signature does not verify with keys [" + names + "]"};
}

Verdict DigestMismatch() { return {Outcome::kDigestMismatch, "", "signed digest differs"}; }

Verdict Malformed(std::string_view what) {
  return {Outcome::kMalformed, "", "malformed signature: " + std::string(what)};
}

Verdict TlogUnverified(std::string reason) {
  return {Outcome::kTlogUnverified, "", std::move(reason)};
}

const NamedKey* FindVerifyingKey(std::span<const NamedKey> keys, std::string_view message,
                                 std::string_view signature) {
  for (const NamedKey& k : keys) {
    if (Verify(k.key, message, signature)) return &k;
  }
  return nullptr;
}

}  // namespace csp::signature
