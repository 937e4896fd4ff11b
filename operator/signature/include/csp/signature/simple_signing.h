// cosign's legacy layout (cosign specs/SIGNATURE_SPEC.md): a manifest tagged sha256-<hex>.sig
// whose layers are simple-signing payloads (media type kSimpleSigningMediaType), each signed by
// the base64 signature in the layer annotation kSignatureAnnotation. What is signed is the
// payload blob, byte for byte; what it says is signed is critical.image.docker-manifest-digest.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "csp/common/result.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/transparency_log.h"
#include "csp/signature/verdict.h"

namespace csp::signature {

inline constexpr std::string_view kSimpleSigningMediaType =
    "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr std::string_view kSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr std::string_view kSimpleSigningType = "cosign container image signature";
// cosign's payloads are a few hundred bytes; annotations (-a) make them larger, not this large.
inline constexpr std::size_t kMaxPayloadBytes = 256 << 10;

// {"critical": {"identity": {"docker-reference": R}, "image": {"docker-manifest-digest": D},
//   "type": "cosign container image signature"}, "optional": {...} | null}
struct SimpleSigningPayload {
  std::string docker_reference = {};  // where it was pushed; informational (cosign ignores it)
  std::string docker_manifest_digest = {};
  nlohmann::json optional = {};  // the signer's annotations; null when absent
};

// kInvalidArgument naming the field for a missing or mistyped critical field, a type other than
// kSimpleSigningType, an invalid digest, or more than `max_bytes`.
Result<SimpleSigningPayload> ParseSimpleSigningPayload(std::string_view bytes,
                                                       std::size_t max_bytes = kMaxPayloadBytes);

// One signature layer of a legacy signature manifest, with the payload blob fetched for it:
//   malformed        the layer is not simple-signing, the blob's digest or size is not the
//                    layer's, the annotation is missing or not base64, the payload does not parse
//   bad-signature    no key verifies the annotation's signature over the blob
//   digest-mismatch  a key verifies it, but docker-manifest-digest is not `image_digest`
//   tlog-unverified  a key verifies it for the image, but under `tlog` the transparency log does
//                    not vouch for it: the layer's kRekorBundleAnnotation (cosign's record of
//                    its Rekor upload, a hashedrekord of the payload) is unreadable, or
//                    CheckTransparencyLog says so
//   verified         otherwise, naming the first key that verified
Verdict VerifySimpleSigningLayer(const Descriptor& layer, std::string_view payload_blob,
                                 std::string_view image_digest, std::span<const NamedKey> keys,
                                 const TlogOptions& tlog = {});

}  // namespace csp::signature
