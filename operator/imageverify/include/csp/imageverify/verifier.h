// Verifier: is this image reference signed by one of these keys? Resolves the reference to a
// digest (a tag resolves; an index is verified at the index digest, as cosign signs it), fetches
// the signature artifacts of both cosign layouts and lets csp::signature decide. A registry or
// network failure is kError, never a pass. Results are cached (ResultCache) per (image
// reference, key set and transparency-log settings). Thread-safe: one Verifier serves every caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>

#include "csp/imageverify/result_cache.h"
#include "csp/imageverify/signature_source.h"
#include "csp/imageverify/verify_result.h"
#include "csp/kube/clock.h"
#include "csp/registry/credentials.h"
#include "csp/signature/transparency_log.h"
#include "csp/signature/verdict.h"

namespace csp::imageverify {

struct VerifierOptions {
  std::size_t cache_size = 4096;
  // Verdicts (verified or not) are kept this long: a tag moved to another image, a signature
  // deleted or added is seen once its entry expires.
  kube::Clock::Duration ttl = std::chrono::minutes(5);
  // Registry errors are kept briefly, so that a down registry is not asked again for every
  // container naming it; zero keeps none.
  kube::Clock::Duration error_ttl = std::chrono::seconds(30);
  signature::Limits limits = {};
};

class Verifier {
 public:
  // `source` and `clock` must outlive the verifier.
  Verifier(SignatureSource& source, kube::Clock& clock, VerifierOptions options = {});

  // `tlog`: what the signature's transparency-log entries must show (default: not read).
  VerifyResult Verify(std::string_view image, std::span<const signature::NamedKey> keys,
                      const registry::Keychain& keychain = {},
                      const signature::TlogOptions& tlog = {});

  const ResultCache& cache() const { return cache_; }

 private:
  VerifyResult VerifyUncached(std::string_view image, std::span<const signature::NamedKey> keys,
                              const registry::Keychain& keychain,
                              const signature::TlogOptions& tlog);

  SignatureSource& source_;
  VerifierOptions options_;
  ResultCache cache_;
};

}  // namespace csp::imageverify
