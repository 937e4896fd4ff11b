// Sigstore bundles (protobuf-specs sigstore_bundle.proto, in protobuf's JSON mapping), as cosign
// v3 `cosign sign --key` stores them by default: an OCI 1.1 artifact referring to the image,
// whose one layer (media type kBundleMediaTypeV03) is the bundle. Read from cosign's
// cmd/cosign/cli/sign/sign.go signDigestBundle and pkg/oci/remote/write.go, and confirmed by the
// fixtures in tests/signature/testdata: the content is a dsseEnvelope of payloadType
// "application/vnd.in-toto+json" over an in-toto Statement v1 whose one subject has
// digest {"sha256": <image digest hex>} (no name), predicateType
// "https://sigstore.dev/cosign/sign/v1", and the signature is over the DSSE PAE. With a key,
// verificationMaterial is {"publicKey": {"hint": base64(SHA-256(SPKI DER))}}.
//
// As `cosign verify` (IntotoSubjectClaimVerifier), any subject with the image's sha256 matches
// and the predicateType is not required. messageSignature content (a signature over a message
// known by its SHA2_256 digest) is verified too, the digest being the image digest.
//
// tlogEntries (Rekor v1 entries with their inclusion promise and proof) are verified as
// transparency_log.h says, when the caller's TlogOptions ask for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/result.h"
#include "csp/signature/transparency_log.h"
#include "csp/signature/verdict.h"

namespace csp::signature {

inline constexpr std::string_view kBundleMediaTypeV03 =
    "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::string_view kBundleMediaTypeV02 =
    "application/vnd.dev.sigstore.bundle+json;version=0.2";
inline constexpr std::string_view kBundleMediaTypeV01 =
    "application/vnd.dev.sigstore.bundle+json;version=0.1";
inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::size_t kMaxBundleBytes = 1 << 20;

// True for the three media types above (also how a referrer's artifactType marks a bundle).
bool IsBundleMediaType(std::string_view media_type);

struct DsseSignature {
  std::string sig = {};  // decoded
  std::string keyid = {};
};

struct DsseEnvelope {
  std::string payload = {};  // decoded
  std::string payload_type = {};
  std::vector<DsseSignature> signatures = {};
};

struct MessageSignature {
  std::string digest_algorithm = {};  // "SHA2_256", ...
  std::string digest = {};            // decoded
  std::string signature = {};         // decoded
};

struct Bundle {
  std::string media_type = {};
  std::string public_key_hint = {};  // verificationMaterial.publicKey.hint, when a key signed
  std::string certificate = {};      // DER of the leaf certificate, when one signed
  std::optional<DsseEnvelope> dsse_envelope = {};
  std::optional<MessageSignature> message_signature = {};
  std::vector<TlogEntry> tlog_entries = {};
};

// kInvalidArgument naming the field for: more than `max_bytes`, a media type other than the
// three above, neither or both contents, a missing or non-base64 byte field. Field names are
// read in protobuf JSON's lowerCamelCase and, as protojson also accepts, in snake_case.
Result<Bundle> ParseBundle(std::string_view bytes, std::size_t max_bytes = kMaxBundleBytes);

// DSSE v1 pre-authentication encoding: "DSSEv1 <len(type)> <type> <len(payload)> <payload>".
std::string DssePae(std::string_view payload_type, std::string_view payload);

struct InTotoSubject {
  std::string name = {};
  std::string sha256 = {};  // digest.sha256 (hex), "" when the subject has none
};

struct InTotoStatement {
  std::string type = {};  // https://in-toto.io/Statement/v1 or /v0.1
  std::string predicate_type = {};
  std::vector<InTotoSubject> subjects = {};
};

// kInvalidArgument for another _type, a missing or empty subject list, or a subject that is not
// an object with a digest object.
Result<InTotoStatement> ParseInTotoStatement(std::string_view bytes);

// The bundle's verdict for the image `image_digest` ("sha256:<hex>"):
//   malformed        DSSE of another payloadType, a statement that does not parse, a message
//                    digest algorithm other than SHA2_256
//   bad-signature    no key verifies any of its signatures (over the PAE, or over the digest)
//   digest-mismatch  a key verifies it, but no subject (or the message digest) is the image's
//   tlog-unverified  a key verifies it for the image, but the transparency log does not vouch
//                    for it under `tlog` (CheckTransparencyLog)
//   verified         otherwise, naming the first key that verified
Verdict VerifyBundle(const Bundle& bundle, std::string_view image_digest,
                     std::span<const NamedKey> keys, const TlogOptions& tlog = {});

}  // namespace csp::signature
