// The signature verdict for one image: the registry client (operator/registry) finds and fetches
// the signature artifacts; this decides, from their bytes alone, whether one of the keys signed
// the image digest. No network, clock or logging.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "csp/signature/transparency_log.h"
#include "csp/signature/verdict.h"

namespace csp::signature {

// One signature artifact as fetched.
struct SignatureArtifact {
  enum class Layout {
    // Legacy: `manifest` is the manifest tagged sha256-<hex>.sig; `blobs` holds its layers'
    // payload blobs.
    kSimpleSigning,
    // cosign v3: `manifest` is a referrer's manifest (from the referrers API or the fallback
    // tag sha256-<hex>); `blobs` holds its bundle layer. A referrer that is not a Sigstore
    // bundle (no bundle artifactType or layer: an SBOM, say) is ignored.
    kBundle,
  };
  Layout layout = Layout::kSimpleSigning;
  std::string manifest = {};
  std::map<std::string, std::string> blobs = {};  // layer digest -> bytes
};

// Bounds on what is parsed; larger inputs are malformed (the error names the limit).
struct Limits {
  std::size_t max_manifest_bytes = 4 << 20;  // distribution's own manifest limit
  std::size_t max_blob_bytes = 1 << 20;      // payloads and bundles are a few KiB
};

// Verified when any layer or bundle of any artifact verifies with any key for `image_digest`
// ("sha256:<hex>": the manifest or index digest that was resolved, as cosign signs it).
// Otherwise the highest-ranked failure (see Outcome); kNoSignature when no artifact holds a
// signature. A layer whose blob is missing from `blobs` is malformed; blobs must match their
// descriptors' digest and size. An invalid `image_digest` is malformed. `tlog` decides whether a
// signature also needs its transparency-log entry (transparency_log.h; default: entries are not
// read, as without a Rekor key).
Verdict VerifyImage(std::string_view image_digest, std::span<const SignatureArtifact> artifacts,
                    std::span<const NamedKey> keys, const Limits& limits = {},
                    const TlogOptions& tlog = {});

}  // namespace csp::signature
