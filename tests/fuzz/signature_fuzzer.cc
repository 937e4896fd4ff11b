// Feeds arbitrary bytes, as a registry could serve them, to the signature parsers: manifests,
// indexes, referrers, Sigstore bundles, in-toto statements, simple-signing payloads, cosign's
// Rekor bundle annotation, Rekor entry bodies and checkpoints must answer with a value or a
// kInvalidArgument, never crash; and VerifyImage, given the bytes as a signature manifest and as
// its blobs, must never call anything verified (no key signed it), nor may a log entry or
// checkpoint made of them verify.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/sigstore_bundle.h"
#include "csp/signature/simple_signing.h"
#include "csp/signature/transparency_log.h"
#include "csp/signature/verify.h"

namespace {

using csp::signature::SignatureArtifact;

template <typename R>
void ExpectParsedOrInvalid(const R& result) {
  if (!result && result.error().code != csp::Code::kInvalidArgument) __builtin_trap();
}

const std::vector<csp::signature::NamedKey>& Keys() {
  static const std::vector<csp::signature::NamedKey> keys = [] {
    auto key = csp::signature::ParsePublicKey(
        "-----BEGIN PUBLIC KEY-----\n"
        "MCowBQYDK2VwAyEA7Bcrk61eVjv0kyxw4SRQNMNUZ+8u/U1k6/gZaDRn4r8=\n"
        "-----END PUBLIC KEY-----\n");
    if (!key) __builtin_trap();
    return std::vector<csp::signature::NamedKey>{{"rfc8032", *key}};
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMax = 1 << 20;
  ExpectParsedOrInvalid(csp::signature::ParseManifest(bytes, kMax));
  ExpectParsedOrInvalid(csp::signature::ParseIndex(bytes, kMax));
  ExpectParsedOrInvalid(csp::signature::ParseReferrers(bytes, kMax));
  ExpectParsedOrInvalid(csp::signature::ParseSimpleSigningPayload(bytes));
  ExpectParsedOrInvalid(csp::signature::ParseInTotoStatement(bytes));
  auto bundle = csp::signature::ParseBundle(bytes);
  ExpectParsedOrInvalid(bundle);
  const std::string image = "sha256:" + std::string(64, 'a');
  const csp::signature::TlogOptions tlog = {.required = true, .rekor_keys = Keys()};
  if (bundle && (csp::signature::VerifyBundle(*bundle, image, Keys()).outcome ==
                     csp::signature::Outcome::kVerified ||
                 csp::signature::VerifyBundle(*bundle, image, Keys(), tlog).outcome ==
                     csp::signature::Outcome::kVerified)) {
    __builtin_trap();
  }
  ExpectParsedOrInvalid(csp::signature::ParseRekorBundleAnnotation(bytes));
  // The input as an entry body and as a checkpoint of a one-leaf tree of the log Keys()[0].
  const std::string log_id = csp::DecodeBase64(Keys()[0].key.hint()).value();
  csp::signature::TlogEntry entry{.log_id = log_id, .canonicalized_body = std::string(bytes)};
  entry.inclusion_proof =
      csp::signature::InclusionProof{.tree_size = 1, .checkpoint = std::string(bytes)};
  const csp::signature::TlogClaim claim{.key = &Keys()[0].key};
  if (csp::signature::CheckEntryBody(entry, claim) ||
      csp::signature::VerifyTlogEntry(entry, claim, Keys()) ||
      csp::signature::VerifyInclusionProof(entry, Keys()[0].key)) {
    __builtin_trap();
  }
  // The input as a signature manifest whose every layer blob is the input itself.
  SignatureArtifact artifact{SignatureArtifact::Layout::kSimpleSigning, std::string(bytes), {}};
  if (auto m = csp::signature::ParseManifest(bytes, kMax)) {
    for (const auto& layer : m->layers) artifact.blobs[layer.digest] = std::string(bytes);
  }
  const std::vector<SignatureArtifact> artifacts = {
      artifact, {SignatureArtifact::Layout::kBundle, artifact.manifest, artifact.blobs}};
  if (csp::signature::VerifyImage(image, artifacts, Keys()).outcome ==
      csp::signature::Outcome::kVerified) {
    __builtin_trap();
  }
  return 0;
}
