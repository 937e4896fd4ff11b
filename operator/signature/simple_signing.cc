#include "csp/signature/simple_signing.h"

#include "csp/common/base64.h"
#include "csp/common/json_fields.h"
#include "digest.h"
#include "json_document.h"

namespace csp::signature {
namespace {

// object.a.b... as a string, or an error naming the path.
Result<std::string> StringPath(const nlohmann::json& object,
                               std::initializer_list<std::string_view> path) {
  const nlohmann::json* at = &object;
  std::string name = "payload";
  for (std::string_view key : path) {
    name += "." + std::string(key);
    at = FieldAt(*at, key);
    if (at == nullptr) return InvalidArgument(name + ": missing");
  }
  if (!at->is_string()) return InvalidArgument(name + ": not a string");
  return at->get<std::string>();
}

}  // namespace

Result<SimpleSigningPayload> ParseSimpleSigningPayload(std::string_view bytes,
                                                       std::size_t max_bytes) {
  CSP_TRY(nlohmann::json doc, internal::ParseObject(bytes, max_bytes, "payload"));
  CSP_TRY(std::string type, StringPath(doc, {"critical", "type"}));
  if (type != kSimpleSigningType) {
    return InvalidArgument("payload.critical.type: \"" + type.substr(0, 80) + "\", want \"" +
                           std::string(kSimpleSigningType) + "\"");
  }
  SimpleSigningPayload p;
  CSP_TRY(p.docker_manifest_digest,
          StringPath(doc, {"critical", "image", "docker-manifest-digest"}));
  if (Status s = ValidateDigest(p.docker_manifest_digest); !s) {
    return InvalidArgument("payload.critical.image.docker-manifest-digest: " + s.error().message);
  }
  CSP_TRY(p.docker_reference, StringPath(doc, {"critical", "identity", "docker-reference"}));
  if (const nlohmann::json* optional = FieldAt(doc, "optional")) p.optional = *optional;
  return p;
}

Verdict VerifySimpleSigningLayer(const Descriptor& layer, std::string_view payload_blob,
                                 std::string_view image_digest, std::span<const NamedKey> keys,
                                 const TlogOptions& tlog) {
  if (layer.media_type != kSimpleSigningMediaType) {
    return Malformed("layer " + layer.digest + " has media type " + layer.media_type + ", want " +
                     std::string(kSimpleSigningMediaType));
  }
  if (Sha256Digest(payload_blob) != layer.digest ||
      static_cast<std::int64_t>(payload_blob.size()) != layer.size) {
    return Malformed("payload blob does not match its layer descriptor " + layer.digest);
  }
  auto annotation = layer.annotations.find(std::string(kSignatureAnnotation));
  if (annotation == layer.annotations.end()) {
    return Malformed("layer " + layer.digest + " has no " + std::string(kSignatureAnnotation));
  }
  Result<std::string> signature = DecodeBase64(annotation->second);
  if (!signature) return Malformed(std::string(kSignatureAnnotation) + ": not base64");
  Result<SimpleSigningPayload> payload = ParseSimpleSigningPayload(payload_blob);
  if (!payload) return Malformed(payload.error().message);
  const NamedKey* key = FindVerifyingKey(keys, payload_blob, *signature);
  if (key == nullptr) return BadSignature(keys);
  if (payload->docker_manifest_digest != image_digest) return DigestMismatch();
  std::vector<TlogEntry> entries;
  auto rekor_bundle = layer.annotations.find(std::string(kRekorBundleAnnotation));
  const bool tlog_checked = !tlog.rekor_keys.empty() || tlog.required;
  if (tlog_checked && rekor_bundle != layer.annotations.end()) {
    Result<TlogEntry> entry = ParseRekorBundleAnnotation(rekor_bundle->second);
    if (!entry) return TlogUnverified("transparency-log entry: " + entry.error().message);
    entries.push_back(std::move(*entry));
  }
  const TlogClaim claim{.content = TlogClaim::Content::kMessage,
                        .sha256 = internal::Sha256(payload_blob),
                        .signature = *signature,
                        .key = &key->key};
  return CheckTransparencyLog(entries, claim, tlog, key->name);
}

}  // namespace csp::signature
