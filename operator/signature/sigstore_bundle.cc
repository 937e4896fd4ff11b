#include "csp/signature/sigstore_bundle.h"

#include <charconv>

#include "csp/common/base64.h"
#include "csp/signature/oci_manifest.h"
#include "digest.h"
#include "json_document.h"

namespace csp::signature {
namespace {

using nlohmann::json;

// protojson reads a field by its JSON name (lowerCamelCase) or its proto name (snake_case).
const json* Field(const json& object, std::string_view camel, std::string_view snake = {}) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(camel);
  if (it == object.end() && !snake.empty()) it = object.find(snake);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Result<std::string> String(const json& object, std::string_view camel, std::string_view snake,
                           const std::string& what, bool required) {
  const json* v = Field(object, camel, snake);
  const std::string name = what + "." + std::string(camel);
  if (v == nullptr) {
    if (required) return InvalidArgument(name + ": missing");
    return std::string();
  }
  if (!v->is_string()) return InvalidArgument(name + ": not a string");
  return v->get<std::string>();
}

// A protobuf `bytes` field: base64 in JSON.
Result<std::string> Bytes(const json& object, std::string_view camel, std::string_view snake,
                          const std::string& what, bool required) {
  CSP_TRY(std::string text, String(object, camel, snake, what, required));
  Result<std::string> bytes = DecodeBase64(text);
  if (!bytes) return InvalidArgument(what + "." + std::string(camel) + ": not base64");
  return bytes;
}

// A protobuf int64: a decimal string in JSON, or a number.
Result<std::int64_t> Int64(const json& object, std::string_view camel, std::string_view snake,
                           const std::string& what) {
  const json* v = Field(object, camel, snake);
  if (v == nullptr) return std::int64_t{0};
  if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
  if (v->is_number_unsigned() && v->get<std::uint64_t>() <= INT64_MAX) {
    return static_cast<std::int64_t>(v->get<std::uint64_t>());
  }
  std::int64_t out = 0;
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return out;
  }
  return InvalidArgument(what + "." + std::string(camel) + ": not an int64");
}

const json* Object(const json& object, std::string_view camel, std::string_view snake = {}) {
  const json* v = Field(object, camel, snake);
  return v != nullptr && v->is_object() ? v : nullptr;
}

Result<std::vector<const json*>> Array(const json& object, std::string_view camel,
                                       std::string_view snake, const std::string& what) {
  std::vector<const json*> out;
  const json* v = Field(object, camel, snake);
  if (v == nullptr) return out;
  if (!v->is_array()) return InvalidArgument(what + "." + std::string(camel) + ": not an array");
  for (const json& item : *v) out.push_back(&item);
  return out;
}

Result<DsseEnvelope> ParseDsse(const json& e) {
  const std::string what = "bundle.dsseEnvelope";
  DsseEnvelope d;
  CSP_TRY(d.payload, Bytes(e, "payload", "", what, true));
  CSP_TRY(d.payload_type, String(e, "payloadType", "payload_type", what, true));
  CSP_TRY(std::vector<const json*> signatures, Array(e, "signatures", "", what));
  if (signatures.empty()) return InvalidArgument(what + ".signatures: none");
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    const std::string name = what + ".signatures[" + std::to_string(i) + "]";
    DsseSignature s;
    CSP_TRY(s.sig, Bytes(*signatures[i], "sig", "", name, true));
    CSP_TRY(s.keyid, String(*signatures[i], "keyid", "", name, false));
    d.signatures.push_back(std::move(s));
  }
  return d;
}

Result<MessageSignature> ParseMessageSignature(const json& m) {
  const std::string what = "bundle.messageSignature";
  MessageSignature s;
  const json* digest = Object(m, "messageDigest", "message_digest");
  if (digest == nullptr) return InvalidArgument(what + ".messageDigest: missing");
  CSP_TRY(s.digest_algorithm, String(*digest, "algorithm", "", what + ".messageDigest", true));
  CSP_TRY(s.digest, Bytes(*digest, "digest", "", what + ".messageDigest", true));
  CSP_TRY(s.signature, Bytes(m, "signature", "", what, true));
  return s;
}

Result<InclusionProof> ParseInclusionProof(const json& p, const std::string& what) {
  InclusionProof proof;
  CSP_TRY(proof.log_index, Int64(p, "logIndex", "log_index", what));
  CSP_TRY(proof.root_hash, Bytes(p, "rootHash", "root_hash", what, true));
  CSP_TRY(proof.tree_size, Int64(p, "treeSize", "tree_size", what));
  CSP_TRY(std::vector<const json*> hashes, Array(p, "hashes", "", what));
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    const std::string name = what + ".hashes[" + std::to_string(i) + "]";
    if (!hashes[i]->is_string()) return InvalidArgument(name + ": not a string");
    Result<std::string> hash = DecodeBase64(hashes[i]->get_ref<const std::string&>());
    if (!hash) return InvalidArgument(name + ": not base64");
    proof.hashes.push_back(std::move(*hash));
  }
  const json* checkpoint = Object(p, "checkpoint");
  if (checkpoint == nullptr) return InvalidArgument(what + ".checkpoint: missing");
  CSP_TRY(proof.checkpoint, String(*checkpoint, "envelope", "", what + ".checkpoint", true));
  return proof;
}

Result<TlogEntry> ParseTlogEntry(const json& e, const std::string& what) {
  if (!e.is_object()) return InvalidArgument(what + ": not an object");
  TlogEntry t;
  CSP_TRY(t.log_index, Int64(e, "logIndex", "log_index", what));
  if (const json* log_id = Object(e, "logId", "log_id")) {
    CSP_TRY(t.log_id, Bytes(*log_id, "keyId", "key_id", what + ".logId", false));
  }
  if (const json* kv = Object(e, "kindVersion", "kind_version")) {
    CSP_TRY(t.kind, String(*kv, "kind", "", what + ".kindVersion", false));
    CSP_TRY(t.version, String(*kv, "version", "", what + ".kindVersion", false));
  }
  CSP_TRY(t.integrated_time, Int64(e, "integratedTime", "integrated_time", what));
  if (const json* promise = Object(e, "inclusionPromise", "inclusion_promise")) {
    CSP_TRY(t.signed_entry_timestamp,
            Bytes(*promise, "signedEntryTimestamp", "signed_entry_timestamp",
                  what + ".inclusionPromise", false));
  }
  if (const json* proof = Object(e, "inclusionProof", "inclusion_proof")) {
    CSP_TRY(t.inclusion_proof, ParseInclusionProof(*proof, what + ".inclusionProof"));
  }
  CSP_TRY(t.canonicalized_body, Bytes(e, "canonicalizedBody", "canonicalized_body", what, false));
  return t;
}

Status ParseVerificationMaterial(const json& m, Bundle& b) {
  const std::string what = "bundle.verificationMaterial";
  if (const json* key = Object(m, "publicKey", "public_key")) {
    CSP_TRY(b.public_key_hint, String(*key, "hint", "", what + ".publicKey", false));
  }
  if (const json* cert = Object(m, "certificate")) {
    CSP_TRY(b.certificate, Bytes(*cert, "rawBytes", "raw_bytes", what + ".certificate", true));
  }
  if (const json* chain = Object(m, "x509CertificateChain", "x509_certificate_chain")) {
    CSP_TRY(std::vector<const json*> certs,
            Array(*chain, "certificates", "", what + ".x509CertificateChain"));
    if (!certs.empty()) {
      CSP_TRY(b.certificate, Bytes(*certs[0], "rawBytes", "raw_bytes",
                                   what + ".x509CertificateChain.certificates[0]", true));
    }
  }
  CSP_TRY(std::vector<const json*> entries, Array(m, "tlogEntries", "tlog_entries", what));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CSP_TRY(TlogEntry t,
            ParseTlogEntry(*entries[i], what + ".tlogEntries[" + std::to_string(i) + "]"));
    b.tlog_entries.push_back(std::move(t));
  }
  return {};
}

Verdict VerifyDsse(const DsseEnvelope& envelope, std::string_view image_digest,
                   std::span<const NamedKey> keys, std::span<const TlogEntry> entries,
                   const TlogOptions& tlog) {
  if (envelope.payload_type != kInTotoPayloadType) {
    return Malformed("DSSE payloadType \"" + envelope.payload_type.substr(0, 80) + "\", want " +
                     std::string(kInTotoPayloadType));
  }
  Result<InTotoStatement> statement = ParseInTotoStatement(envelope.payload);
  if (!statement) return Malformed(statement.error().message);
  const std::string pae = DssePae(envelope.payload_type, envelope.payload);
  const NamedKey* key = nullptr;
  const DsseSignature* signature = nullptr;
  for (const DsseSignature& s : envelope.signatures) {
    if ((key = FindVerifyingKey(keys, pae, s.sig)) != nullptr) {
      signature = &s;
      break;
    }
  }
  if (key == nullptr) return BadSignature(keys);
  const std::string_view hex = image_digest.substr(image_digest.find(':') + 1);
  for (const InTotoSubject& subject : statement->subjects) {
    if (subject.sha256 != hex) continue;
    const TlogClaim claim{.content = TlogClaim::Content::kDsse,
                          .sha256 = internal::Sha256(envelope.payload),
                          .signature = signature->sig,
                          .key = &key->key};
    return CheckTransparencyLog(entries, claim, tlog, key->name);
  }
  return DigestMismatch();
}

Verdict VerifyMessage(const MessageSignature& message, std::string_view image_digest,
                      std::span<const NamedKey> keys, std::span<const TlogEntry> entries,
                      const TlogOptions& tlog) {
  if (message.digest_algorithm != "SHA2_256") {
    return Malformed("messageDigest algorithm \"" + message.digest_algorithm.substr(0, 40) +
                     "\", want SHA2_256");
  }
  const NamedKey* key = nullptr;
  for (const NamedKey& k : keys) {
    if (VerifySha256Digest(k.key, message.digest, message.signature)) {
      key = &k;
      break;
    }
  }
  if (key == nullptr) return BadSignature(keys);
  if ("sha256:" + internal::Hex(message.digest) != image_digest) return DigestMismatch();
  const TlogClaim claim{.content = TlogClaim::Content::kMessage,
                        .sha256 = message.digest,
                        .signature = message.signature,
                        .key = &key->key};
  return CheckTransparencyLog(entries, claim, tlog, key->name);
}

}  // namespace

bool IsBundleMediaType(std::string_view media_type) {
  return media_type == kBundleMediaTypeV03 || media_type == kBundleMediaTypeV02 ||
         media_type == kBundleMediaTypeV01;
}

Result<Bundle> ParseBundle(std::string_view bytes, std::size_t max_bytes) {
  CSP_TRY(json doc, internal::ParseObject(bytes, max_bytes, "bundle"));
  Bundle b;
  CSP_TRY(b.media_type, String(doc, "mediaType", "media_type", "bundle", true));
  if (!IsBundleMediaType(b.media_type)) {
    return InvalidArgument("bundle.mediaType: \"" + b.media_type.substr(0, 80) +
                           "\" is not a Sigstore bundle v0.1-v0.3");
  }
  const json* material = Object(doc, "verificationMaterial", "verification_material");
  if (material == nullptr) return InvalidArgument("bundle.verificationMaterial: missing");
  if (Status s = ParseVerificationMaterial(*material, b); !s) return s.error();
  const json* dsse = Object(doc, "dsseEnvelope", "dsse_envelope");
  const json* message = Object(doc, "messageSignature", "message_signature");
  if ((dsse == nullptr) == (message == nullptr)) {
    return InvalidArgument("bundle: want exactly one of dsseEnvelope and messageSignature");
  }
  if (dsse != nullptr) {
    CSP_TRY(b.dsse_envelope, ParseDsse(*dsse));
  } else {
    CSP_TRY(b.message_signature, ParseMessageSignature(*message));
  }
  return b;
}

std::string DssePae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  out.append(payload_type).append(" ").append(std::to_string(payload.size())).append(" ");
  out.append(payload);
  return out;
}

Result<InTotoStatement> ParseInTotoStatement(std::string_view bytes) {
  const std::string what = "statement";
  CSP_TRY(json doc, internal::ParseObject(bytes, kMaxBundleBytes, what));
  InTotoStatement s;
  CSP_TRY(s.type, String(doc, "_type", "", what, true));
  if (s.type != "https://in-toto.io/Statement/v1" &&
      s.type != "https://in-toto.io/Statement/v0.1") {
    return InvalidArgument(what + "._type: \"" + s.type.substr(0, 80) +
                           "\" is not an in-toto Statement v1 or v0.1");
  }
  CSP_TRY(s.predicate_type, String(doc, "predicateType", "", what, false));
  CSP_TRY(std::vector<const json*> subjects, Array(doc, "subject", "", what));
  if (subjects.empty()) return InvalidArgument(what + ".subject: none");
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const std::string name = what + ".subject[" + std::to_string(i) + "]";
    const json* digest = Object(*subjects[i], "digest");
    if (digest == nullptr) return InvalidArgument(name + ".digest: missing or not an object");
    InTotoSubject subject;
    CSP_TRY(subject.name, String(*subjects[i], "name", "", name, false));
    CSP_TRY(subject.sha256, String(*digest, "sha256", "", name + ".digest", false));
    s.subjects.push_back(std::move(subject));
  }
  return s;
}

Verdict VerifyBundle(const Bundle& bundle, std::string_view image_digest,
                     std::span<const NamedKey> keys, const TlogOptions& tlog) {
  if (bundle.dsse_envelope) {
    return VerifyDsse(*bundle.dsse_envelope, image_digest, keys, bundle.tlog_entries, tlog);
  }
  if (bundle.message_signature) {
    return VerifyMessage(*bundle.message_signature, image_digest, keys, bundle.tlog_entries, tlog);
  }
  return Malformed("bundle has no content");
}

}  // namespace csp::signature
