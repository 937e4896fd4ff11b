#include "cosign_like.h"

#include <nlohmann/json.hpp>

#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"
#include "csp/signature/sigstore_bundle.h"
#include "csp/signature/simple_signing.h"

namespace csp::signature::testing {
namespace {

using nlohmann::json;

json Descriptor(std::string_view media_type, const std::string& bytes) {
  return {{"mediaType", media_type}, {"digest", Sha256Digest(bytes)}, {"size", bytes.size()}};
}

}  // namespace

std::string PayloadFor(std::string_view digest) {
  return json{{"critical",
               {{"identity", {{"docker-reference", "127.0.0.1:5000/app"}}},
                {"image", {{"docker-manifest-digest", digest}}},
                {"type", kSimpleSigningType}}},
              {"optional", nullptr}}
      .dump();
}

SignatureArtifact LegacyArtifact(const TestKey& key, const std::string& payload, Scheme scheme) {
  json layer = Descriptor(kSimpleSigningMediaType, payload);
  layer["annotations"] = {{kSignatureAnnotation, EncodeBase64(key.Sign(payload, scheme))}};
  const json manifest = {{"schemaVersion", 2},
                         {"mediaType", media_types::kOciManifest},
                         {"config", Descriptor("application/vnd.oci.image.config.v1+json", "{}")},
                         {"layers", {layer}}};
  return {SignatureArtifact::Layout::kSimpleSigning,
          manifest.dump(),
          {{Sha256Digest(payload), payload}}};
}

std::string StatementFor(std::string_view digest) {
  return json{{"_type", "https://in-toto.io/Statement/v1"},
              {"subject", {{{"digest", {{"sha256", digest.substr(digest.find(':') + 1)}}}}}},
              {"predicateType", "https://sigstore.dev/cosign/sign/v1"},
              {"predicate", json::object()}}
      .dump();
}

std::string BundleJson(const TestKey& key, const std::string& statement,
                       std::string_view payload_type) {
  const std::string sig = key.Sign(DssePae(payload_type, statement));
  return json{{"mediaType", kBundleMediaTypeV03},
              {"verificationMaterial", {{"publicKey", {{"hint", "aGludA=="}}}}},
              {"dsseEnvelope",
               {{"payload", EncodeBase64(statement)},
                {"payloadType", payload_type},
                {"signatures", {{{"sig", EncodeBase64(sig)}}}}}}}
      .dump();
}

SignatureArtifact BundleArtifact(const std::string& bundle) {
  json config = Descriptor("application/vnd.oci.empty.v1+json", "{}");
  config["artifactType"] = kBundleMediaTypeV03;
  const json manifest = {{"schemaVersion", 2},
                         {"mediaType", media_types::kOciManifest},
                         {"artifactType", kBundleMediaTypeV03},
                         {"config", config},
                         {"layers", {Descriptor(kBundleMediaTypeV03, bundle)}}};
  return {SignatureArtifact::Layout::kBundle, manifest.dump(), {{Sha256Digest(bundle), bundle}}};
}

}  // namespace csp::signature::testing
