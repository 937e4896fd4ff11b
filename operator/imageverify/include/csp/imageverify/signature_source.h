// Where the verifier gets its bytes: an image's digest and its cosign signature artifacts (both
// layouts). The registry implementation is the real one; tests give an in-memory one.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/registry/client.h"
#include "csp/registry/credentials.h"
#include "csp/registry/reference.h"
#include "csp/signature/verify.h"

namespace csp::imageverify {

class SignatureSource {
 public:
  virtual ~SignatureSource() = default;
  // The digest `ref` names (a tag resolves; an index is not resolved to a platform).
  virtual Result<std::string> ResolveDigest(const registry::Reference& ref,
                                            const registry::Keychain& keychain) = 0;
  // Every signature artifact of `digest` in `ref`'s repository, with the blobs they need: the
  // Sigstore bundle referrers (referrers API or its fallback tag) and the legacy
  // sha256-<hex>.sig manifest. Empty when there is none; an error only when the registry
  // could not be asked (or answered with something that is not a referrers index).
  virtual Result<std::vector<signature::SignatureArtifact>> FetchSignatures(
      const registry::Reference& ref, std::string_view digest,
      const registry::Keychain& keychain) = 0;
};

struct RegistrySourceLimits {
  // More bundle referrers than this is an error (not a partial answer: the verdict must not
  // depend on which ones were looked at).
  std::size_t max_bundle_referrers = 32;
  std::size_t max_layers = 8;  // layers fetched per signature manifest
  std::size_t max_manifest_bytes = 4 << 20;
  std::size_t max_blob_bytes = 1 << 20;  // payloads and bundles are a few KiB
};

// The real source over `client` (which must outlive it). Thread-safe as the client is.
std::unique_ptr<SignatureSource> NewRegistrySource(registry::Client& client,
                                                   RegistrySourceLimits limits = {});

}  // namespace csp::imageverify
