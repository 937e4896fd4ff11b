#include "csp/signature/transparency_log.h"

#include "csp/common/base64.h"
#include "digest.h"
#include "json_document.h"
#include "rekor_entry_body.h"
#include "spki.h"

namespace csp::signature {
namespace {

using nlohmann::json;

// cosign's annotation holds a body of a few KiB (a certificate at most).
inline constexpr std::size_t kMaxAnnotationBytes = 1 << 20;

const NamedKey* KeyOfLog(std::span<const NamedKey> rekor_keys, std::string_view log_id) {
  const std::string hint = EncodeBase64(log_id);
  for (const NamedKey& k : rekor_keys) {
    if (k.key.hint() == hint) return &k;
  }
  return nullptr;
}

std::string Names(std::span<const NamedKey> keys) {
  std::string names;
  for (const NamedKey& k : keys) names += (names.empty() ? "" : ", ") + k.name;
  return names;
}

// Whether body signature `s` is `claim`'s signature by `claim`'s key.
bool SameSignature(const internal::EntryBody::Signature& s, const TlogClaim& claim) {
  if (s.signature != claim.signature) return false;
  Result<std::string> spki = internal::SpkiSha256OfPem(s.key_pem);
  return spki && claim.key != nullptr && EncodeBase64(*spki) == claim.key->hint();
}

Result<std::int64_t> Integer(const json& object, const char* key, const std::string& what) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer() ||
      (it->is_number_unsigned() && it->get<std::uint64_t>() > INT64_MAX)) {
    return InvalidArgument(what + "." + key + ": missing or not an integer");
  }
  return it->get<std::int64_t>();
}

Result<std::string> Base64Field(const json& object, const char* key, const std::string& what) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return InvalidArgument(what + "." + key + ": missing or not a string");
  }
  Result<std::string> bytes = DecodeBase64(it->get_ref<const std::string&>());
  if (!bytes) return InvalidArgument(what + "." + key + ": not base64");
  return bytes;
}

}  // namespace

std::string InclusionPromisePayload(const TlogEntry& entry) {
  // RFC 8785: keys sorted by UTF-16 code units, no whitespace; the values need no escaping
  // (base64 and hex) and the numbers are integers.
  return "{\"body\":\"" + EncodeBase64(entry.canonicalized_body) +
         "\",\"integratedTime\":" + std::to_string(entry.integrated_time) + ",\"logID\":\"" +
         internal::Hex(entry.log_id) + "\",\"logIndex\":" + std::to_string(entry.log_index) + "}";
}

Status VerifyInclusionPromise(const TlogEntry& entry, const PublicKey& rekor_key) {
  if (entry.signed_entry_timestamp.empty()) return InvalidArgument("no inclusion promise");
  if (!Verify(rekor_key, InclusionPromisePayload(entry), entry.signed_entry_timestamp)) {
    return InvalidArgument(
        "the signed entry timestamp does not verify with the log key (body, integratedTime, "
        "logIndex or logID altered, or signed by another log)");
  }
  return {};
}

Status CheckEntryBody(const TlogEntry& entry, const TlogClaim& claim) {
  Result<internal::EntryBody> body = internal::ParseEntryBody(entry.canonicalized_body);
  if (!body) return body.error();
  if ((!entry.kind.empty() && entry.kind != body->kind) ||
      (!entry.version.empty() && entry.version != body->api_version)) {
    return InvalidArgument("kindVersion " + entry.kind.substr(0, 40) + " " +
                           entry.version.substr(0, 40) + " differs from the body's " + body->kind +
                           " " + body->api_version);
  }
  const bool message = claim.content == TlogClaim::Content::kMessage;
  if (message != (body->kind == "hashedrekord")) {
    return InvalidArgument("entry kind " + body->kind + " does not record a " +
                           (message ? "message signature (want hashedrekord)"
                                    : "DSSE envelope (want dsse or intoto)"));
  }
  if (body->hash_algorithm != "sha256") {
    return InvalidArgument("body hash algorithm " + body->hash_algorithm.substr(0, 40) +
                           ", want sha256");
  }
  if (body->hash_hex != internal::Hex(claim.sha256)) {
    return InvalidArgument(std::string("the entry is for another ") +
                           (message ? "artifact: its sha256 " : "DSSE payload: its sha256 ") +
                           body->hash_hex.substr(0, 64) + " is not " + internal::Hex(claim.sha256));
  }
  for (const internal::EntryBody::Signature& s : body->signatures) {
    if (SameSignature(s, claim)) return {};
  }
  return InvalidArgument("the entry records another signature or key than the one that verified");
}

Status VerifyTlogEntry(const TlogEntry& entry, const TlogClaim& claim,
                       std::span<const NamedKey> rekor_keys) {
  const NamedKey* log = KeyOfLog(rekor_keys, entry.log_id);
  if (log == nullptr) {
    return Error{Code::kNotFound, "log " + internal::Hex(entry.log_id).substr(0, 16) +
                                      "... is none of rekor keys [" + Names(rekor_keys) + "]"};
  }
  if (entry.signed_entry_timestamp.empty() && !entry.inclusion_proof) {
    return InvalidArgument("neither an inclusion promise nor an inclusion proof");
  }
  if (!entry.signed_entry_timestamp.empty()) {
    if (Status s = VerifyInclusionPromise(entry, log->key); !s) return s;
  }
  if (entry.inclusion_proof) {
    if (Status s = VerifyInclusionProof(entry, log->key); !s) return s;
  }
  return CheckEntryBody(entry, claim);
}

Verdict CheckTransparencyLog(std::span<const TlogEntry> entries, const TlogClaim& claim,
                             const TlogOptions& options, std::string_view key_name) {
  if (options.rekor_keys.empty() && !options.required) return Verified(key_name);
  bool verified = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Status s = VerifyTlogEntry(entries[i], claim, options.rekor_keys);
    if (s) {
      verified = true;
    } else if (s.error().code != Code::kNotFound) {
      return TlogUnverified("transparency-log entry " + std::to_string(i) +
                            " does not verify: " + s.error().message);
    }
  }
  if (options.required && !verified) {
    return TlogUnverified("no transparency-log entry verifies with rekor keys [" +
                          Names(options.rekor_keys) + "]");
  }
  return Verified(key_name);
}

Result<TlogEntry> ParseRekorBundleAnnotation(std::string_view text) {
  const std::string what(kRekorBundleAnnotation);
  CSP_TRY(json doc, internal::ParseObject(text, kMaxAnnotationBytes, what));
  TlogEntry entry;
  CSP_TRY(entry.signed_entry_timestamp, Base64Field(doc, "SignedEntryTimestamp", what));
  auto payload = doc.find("Payload");
  if (payload == doc.end() || !payload->is_object()) {
    return InvalidArgument(what + ".Payload: missing or not an object");
  }
  const std::string name = what + ".Payload";
  CSP_TRY(entry.canonicalized_body, Base64Field(*payload, "body", name));
  CSP_TRY(entry.integrated_time, Integer(*payload, "integratedTime", name));
  CSP_TRY(entry.log_index, Integer(*payload, "logIndex", name));
  auto log_id = payload->find("logID");
  std::optional<std::string> id;
  if (log_id != payload->end() && log_id->is_string()) {
    id = internal::Unhex(log_id->get_ref<const std::string&>());
  }
  if (!id) return InvalidArgument(name + ".logID: missing or not hex");
  entry.log_id = std::move(*id);
  return entry;
}

}  // namespace csp::signature
