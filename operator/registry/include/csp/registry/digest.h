// Content digests ("sha256:<hex>", "sha512:<hex>"), computed with OpenSSL.
#pragma once

#include <string>
#include <string_view>

#include "csp/common/result.h"

namespace csp::registry {

// "sha256:" and the lower-case hex SHA-256 of `bytes`.
std::string Sha256Digest(std::string_view bytes);

// OK when `digest` (sha256 or sha512) is the digest of `bytes`; else kInvalidArgument: an
// unsupported algorithm, a malformed digest, or (naming both digests) different content.
Status VerifyDigest(std::string_view digest, std::string_view bytes);

// "sha256:abc" -> "sha256-abc": the tag of the referrers fallback index (OCI distribution 1.1).
std::string FallbackReferrersTag(std::string_view digest);
// "sha256:abc" -> "sha256-abc.sig": the tag of cosign's legacy signature manifest.
std::string LegacySignatureTag(std::string_view digest);

}  // namespace csp::registry
