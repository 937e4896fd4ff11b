#include "csp/imageverify/verifier.h"

#include <vector>

#include "csp/imageverify/key_set.h"
#include "csp/registry/reference.h"
#include "csp/signature/verify.h"

namespace csp::imageverify {

using signature::SignatureArtifact;

Verifier::Verifier(SignatureSource& source, kube::Clock& clock, VerifierOptions options)
    : source_(source), options_(options), cache_(options.cache_size, clock) {}

VerifyResult Verifier::Verify(std::string_view image, std::span<const signature::NamedKey> keys,
                              const registry::Keychain& keychain,
                              const signature::TlogOptions& tlog) {
  const std::string image_key(image);
  // The credential read with is part of the key: a result (above all an error) read without
  // credentials must not answer for a workload that has them, nor the other way round.
  std::optional<registry::Credential> credential;
  if (Result<registry::Reference> ref = registry::ParseReference(image); ref) {
    credential = keychain.Find(ref->host);
  }
  const std::string key_set = KeySetFingerprint(keys, tlog) + CredentialFingerprint(credential);
  if (std::optional<VerifyResult> cached = cache_.Get(image_key, key_set)) return *cached;
  VerifyResult result = VerifyUncached(image, keys, keychain, tlog);
  cache_.Put(
      image_key, key_set, result,
      result.verdict == policy::SignatureVerdict::kError ? options_.error_ttl : options_.ttl);
  return result;
}

VerifyResult Verifier::VerifyUncached(std::string_view image,
                                      std::span<const signature::NamedKey> keys,
                                      const registry::Keychain& keychain,
                                      const signature::TlogOptions& tlog) {
  Result<registry::Reference> ref = registry::ParseReference(image);
  if (!ref) {
    return {.verdict = policy::SignatureVerdict::kError,
            .detail = "invalid image reference: " + ref.error().message};
  }
  Result<std::string> digest = source_.ResolveDigest(*ref, keychain);
  if (!digest) return FromRegistryError(digest.error());
  auto artifacts = source_.FetchSignatures(*ref, *digest, keychain);
  if (!artifacts) {
    VerifyResult r = FromRegistryError(artifacts.error());
    r.digest = *digest;
    return r;
  }
  std::vector<SignatureArtifact> bundles;
  bool legacy = false;
  for (const SignatureArtifact& a : *artifacts) {
    if (a.layout == SignatureArtifact::Layout::kBundle) {
      bundles.push_back(a);
    } else {
      legacy = true;
    }
  }
  VerifyResult r =
      FromVerdict(signature::VerifyImage(*digest, *artifacts, keys, options_.limits, tlog));
  r.digest = *digest;
  r.bundle_found = !bundles.empty();
  r.legacy_found = legacy;
  if (r.verdict == policy::SignatureVerdict::kVerified) {
    // Which layout verified, for `cspctl images` (bundles first: cosign v3's default).
    const bool by_bundle =
        r.bundle_found &&
        signature::VerifyImage(*digest, bundles, keys, options_.limits, tlog).outcome ==
            signature::Outcome::kVerified;
    r.verified_layout = by_bundle ? Layout::kBundle : Layout::kLegacy;
  }
  return r;
}

}  // namespace csp::imageverify
