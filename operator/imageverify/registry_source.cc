// SignatureSource over the OCI distribution API (csp::registry::Client).
#include <set>

#include "csp/imageverify/signature_source.h"
#include "csp/registry/digest.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/sigstore_bundle.h"

namespace csp::imageverify {
namespace {

using signature::SignatureArtifact;

constexpr std::string_view kBundleArtifactPrefix = "application/vnd.dev.sigstore.bundle";
constexpr std::string_view kEmptyConfigType = "application/vnd.oci.empty.v1+json";

// A referrer whose listed artifactType may hide a bundle: none, or the empty config's media
// type, which registries that list the config's type instead of the manifest's artifactType
// (go-containerregistry's, OCI 1.1 drafts) report for cosign's bundles. Its manifest says.
bool MaybeMislabelled(std::string_view artifact_type) {
  return artifact_type.empty() || artifact_type == kEmptyConfigType;
}

// Whether a referrer manifest is a Sigstore bundle artifact (its artifactType, or its config's
// media type when it has none). One that does not parse is kept: VerifyImage calls it malformed.
bool IsBundleManifest(std::string_view bytes) {
  auto m = signature::ParseManifest(bytes, bytes.size());
  if (!m) return true;
  const std::string& type = m->artifact_type.empty() ? m->config.media_type : m->artifact_type;
  return type.starts_with(kBundleArtifactPrefix);
}

class RegistrySource final : public SignatureSource {
 public:
  RegistrySource(registry::Client& client, RegistrySourceLimits limits)
      : client_(client), limits_(limits) {}

  Result<std::string> ResolveDigest(const registry::Reference& ref,
                                    const registry::Keychain& keychain) override {
    return client_.ResolveDigest(ref, keychain);
  }

  Result<std::vector<SignatureArtifact>> FetchSignatures(
      const registry::Reference& ref, std::string_view digest,
      const registry::Keychain& keychain) override {
    std::vector<SignatureArtifact> artifacts;
    CSP_TRY(registry::Referrers referrers,
            client_.GetReferrers(ref, digest, signature::kBundleMediaTypeV03, keychain));
    std::set<std::string> bundle_digests;
    for (const registry::Manifest& page : referrers.pages) {
      auto index = signature::ParseReferrers(page.bytes, limits_.max_manifest_bytes);
      if (!index) {
        return Error{Code::kInvalidArgument, "registry " + ref.host + ": referrers of " +
                                                 std::string(digest) + ": " +
                                                 index.error().message};
      }
      for (const signature::Descriptor& d : index->manifests) {
        if (d.artifact_type.starts_with(kBundleArtifactPrefix) ||
            MaybeMislabelled(d.artifact_type)) {
          bundle_digests.insert(d.digest);
        }
      }
    }
    if (bundle_digests.size() > limits_.max_bundle_referrers) {
      return Error{Code::kResourceExhausted,
                   "registry " + ref.host + ": " + std::to_string(bundle_digests.size()) +
                       " signature bundles refer to " + std::string(digest) + " (at most " +
                       std::to_string(limits_.max_bundle_referrers) + " are verified)"};
    }
    for (const std::string& d : bundle_digests) {
      CSP_TRY(registry::Manifest m, client_.GetManifest(ref, d, keychain));
      if (!IsBundleManifest(m.bytes)) continue;  // a mislabelled candidate that is something else
      CSP_TRY(SignatureArtifact a,
              WithBlobs(ref, SignatureArtifact::Layout::kBundle, std::move(m.bytes), keychain));
      artifacts.push_back(std::move(a));
    }
    CSP_TRY(std::optional<registry::Manifest> legacy,
            client_.GetTag(ref, registry::LegacySignatureTag(digest), keychain));
    if (legacy) {
      CSP_TRY(SignatureArtifact a, WithBlobs(ref, SignatureArtifact::Layout::kSimpleSigning,
                                             std::move(legacy->bytes), keychain));
      artifacts.push_back(std::move(a));
    }
    return artifacts;
  }

 private:
  // The artifact with the blobs of its first max_layers layers. A manifest that does not parse,
  // or a layer too large, is left without blobs: VerifyImage calls that malformed.
  Result<SignatureArtifact> WithBlobs(const registry::Reference& ref,
                                      SignatureArtifact::Layout layout, std::string manifest,
                                      const registry::Keychain& keychain) {
    SignatureArtifact a{.layout = layout, .manifest = std::move(manifest)};
    auto parsed = signature::ParseManifest(a.manifest, limits_.max_manifest_bytes);
    if (!parsed) return a;
    for (std::size_t i = 0; i < parsed->layers.size() && i < limits_.max_layers; ++i) {
      const signature::Descriptor& layer = parsed->layers[i];
      if (layer.size < 0 || static_cast<std::size_t>(layer.size) > limits_.max_blob_bytes ||
          a.blobs.contains(layer.digest)) {
        continue;
      }
      CSP_TRY(std::string blob, client_.GetBlob(ref, layer.digest, keychain));
      a.blobs.emplace(layer.digest, std::move(blob));
    }
    return a;
  }

  registry::Client& client_;
  const RegistrySourceLimits limits_;
};

}  // namespace

std::unique_ptr<SignatureSource> NewRegistrySource(registry::Client& client,
                                                   RegistrySourceLimits limits) {
  return std::make_unique<RegistrySource>(client, limits);
}

}  // namespace csp::imageverify
