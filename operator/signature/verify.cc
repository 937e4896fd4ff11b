#include "csp/signature/verify.h"

#include <vector>

#include "csp/signature/oci_manifest.h"
#include "csp/signature/sigstore_bundle.h"
#include "csp/signature/simple_signing.h"

namespace csp::signature {
namespace {

int Rank(Outcome o) {
  switch (o) {
    case Outcome::kVerified:
      return 5;
    case Outcome::kTlogUnverified:
      return 4;
    case Outcome::kDigestMismatch:
      return 3;
    case Outcome::kBadSignature:
      return 2;
    case Outcome::kMalformed:
      return 1;
    case Outcome::kNoSignature:
      return 0;
  }
  return 0;
}

// The best verdict so far: the first of the highest rank.
void Keep(Verdict& best, Verdict v) {
  if (Rank(v.outcome) > Rank(best.outcome)) best = std::move(v);
}

const std::string* BlobOf(const SignatureArtifact& a, const Descriptor& layer) {
  auto it = a.blobs.find(layer.digest);
  return it == a.blobs.end() ? nullptr : &it->second;
}

std::vector<Verdict> VerifyLegacy(const SignatureArtifact& a, const Manifest& m,
                                  std::string_view image_digest, std::span<const NamedKey> keys,
                                  const Limits& limits, const TlogOptions& tlog) {
  std::vector<Verdict> out;
  for (const Descriptor& layer : m.layers) {
    const std::string* blob = BlobOf(a, layer);
    if (blob == nullptr) {
      out.push_back(Malformed("payload blob " + layer.digest + " was not fetched"));
    } else if (blob->size() > limits.max_blob_bytes) {
      out.push_back(Malformed("payload blob of " + std::to_string(blob->size()) +
                              " bytes exceeds the limit of " +
                              std::to_string(limits.max_blob_bytes)));
    } else {
      out.push_back(VerifySimpleSigningLayer(layer, *blob, image_digest, keys, tlog));
    }
  }
  return out;
}

std::vector<Verdict> VerifyReferrer(const SignatureArtifact& a, const Manifest& m,
                                    std::string_view image_digest, std::span<const NamedKey> keys,
                                    const Limits& limits, const TlogOptions& tlog) {
  std::vector<Verdict> out;
  for (const Descriptor& layer : m.layers) {
    if (!IsBundleMediaType(layer.media_type)) continue;
    const std::string* blob = BlobOf(a, layer);
    if (blob == nullptr) {
      out.push_back(Malformed("bundle blob " + layer.digest + " was not fetched"));
      continue;
    }
    if (Sha256Digest(*blob) != layer.digest ||
        static_cast<std::int64_t>(blob->size()) != layer.size) {
      out.push_back(Malformed("bundle blob does not match its layer descriptor " + layer.digest));
      continue;
    }
    Result<Bundle> bundle = ParseBundle(*blob, limits.max_blob_bytes);
    if (!bundle) {
      out.push_back(Malformed(bundle.error().message));
      continue;
    }
    out.push_back(VerifyBundle(*bundle, image_digest, keys, tlog));
  }
  const bool marked =
      IsBundleMediaType(m.artifact_type) || IsBundleMediaType(m.config.artifact_type);
  if (out.empty() && marked) out.push_back(Malformed("bundle referrer without a bundle layer"));
  return out;
}

}  // namespace

Verdict VerifyImage(std::string_view image_digest, std::span<const SignatureArtifact> artifacts,
                    std::span<const NamedKey> keys, const Limits& limits, const TlogOptions& tlog) {
  if (Status s = ValidateDigest(image_digest); !s) {
    return Malformed("image digest: " + s.error().message);
  }
  Verdict best = NoSignature();
  for (const SignatureArtifact& a : artifacts) {
    Result<Manifest> m = ParseManifest(a.manifest, limits.max_manifest_bytes);
    if (!m) {
      Keep(best, Malformed(m.error().message));
      continue;
    }
    const bool legacy = a.layout == SignatureArtifact::Layout::kSimpleSigning;
    for (Verdict& v : legacy ? VerifyLegacy(a, *m, image_digest, keys, limits, tlog)
                             : VerifyReferrer(a, *m, image_digest, keys, limits, tlog)) {
      if (v.outcome == Outcome::kVerified) return std::move(v);
      Keep(best, std::move(v));
    }
  }
  return best;
}

}  // namespace csp::signature
