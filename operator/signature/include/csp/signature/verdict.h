// The answer to "is this signature artifact (or image) signed by one of these keys?", shared by
// both signature layouts and by VerifyImage.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "csp/signature/public_key.h"

namespace csp::signature {

// Ranked: when several artifacts fail, VerifyImage reports the highest of kTlogUnverified,
// kDigestMismatch, kBadSignature, kMalformed, kNoSignature (a trusted signature of this image
// that the transparency log does not vouch for says more than a trusted signature of another
// image, which says more than a signature by an unknown key, which says more than garbage).
enum class Outcome {
  kVerified,
  kNoSignature,
  kBadSignature,
  kDigestMismatch,
  kMalformed,
  kTlogUnverified,
};

// "verified", "no-signature", "bad-signature", "digest-mismatch", "malformed",
// "tlog-unverified".
std::string_view OutcomeName(Outcome outcome);

// A trusted key and the name a policy gives it (reported as "keys [release]").
struct NamedKey {
  std::string name = {};
  PublicKey key;
};

struct Verdict {
  Outcome outcome = Outcome::kNoSignature;
  std::string key_name = {};  // the key that verified (kVerified only)
  // One line, as docs/controls.md words it: "verified with key release", "no signature",
  // "signature does not verify with keys [release, backup]", "signed digest differs",
  // "malformed signature: <what>", "transparency-log entry 0 does not verify: <why>".
  std::string reason = {};
};

Verdict Verified(std::string_view key_name);
Verdict NoSignature();
Verdict BadSignature(std::span<const NamedKey> keys);
Verdict DigestMismatch();
Verdict Malformed(std::string_view what);
Verdict TlogUnverified(std::string reason);

// The first of `keys` whose key verifies `signature` over `message`, or nullptr.
const NamedKey* FindVerifyingKey(std::span<const NamedKey> keys, std::string_view message,
                                 std::string_view signature);

}  // namespace csp::signature
