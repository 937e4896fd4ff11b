#include "rekor_entry_body.h"

#include "csp/common/base64.h"
#include "json_document.h"

namespace csp::signature::internal {
namespace {

using nlohmann::json;

inline constexpr std::size_t kMaxBodyBytes = 1 << 20;

// object.a.b... , or an error naming the path.
Result<const json*> At(const json& object, std::initializer_list<std::string_view> path,
                       std::string& name) {
  const json* at = &object;
  for (std::string_view key : path) {
    name += "." + std::string(key);
    auto it = at->is_object() ? at->find(key) : at->end();
    if (!at->is_object() || it == at->end() || it->is_null()) {
      return InvalidArgument(name + ": missing");
    }
    at = &*it;
  }
  return at;
}

Result<std::string> StringAt(const json& object, std::initializer_list<std::string_view> path,
                             std::string name) {
  CSP_TRY(const json* v, At(object, path, name));
  if (!v->is_string()) return InvalidArgument(name + ": not a string");
  return v->get<std::string>();
}

Result<std::string> Base64At(const json& object, std::initializer_list<std::string_view> path,
                             const std::string& name) {
  CSP_TRY(std::string text, StringAt(object, path, name));
  Result<std::string> bytes = DecodeBase64(text);
  if (!bytes) return InvalidArgument(name + ": not base64");
  return bytes;
}

Status ReadHash(const json& hash, const std::string& name, EntryBody& body) {
  CSP_TRY(body.hash_algorithm, StringAt(hash, {"algorithm"}, name));
  CSP_TRY(body.hash_hex, StringAt(hash, {"value"}, name));
  return {};
}

Result<std::vector<const json*>> Signatures(const json& spec,
                                            std::initializer_list<std::string_view> path,
                                            std::string name) {
  CSP_TRY(const json* list, At(spec, path, name));
  if (!list->is_array() || list->empty()) return InvalidArgument(name + ": not a non-empty array");
  std::vector<const json*> out;
  for (const json& s : *list) out.push_back(&s);
  return out;
}

Status ReadHashedRekord(const json& spec, EntryBody& body) {
  const std::string name = "body.spec";
  std::string hash_name = name;
  CSP_TRY(const json* hash, At(spec, {"data", "hash"}, hash_name));
  if (Status s = ReadHash(*hash, hash_name, body); !s) return s;
  EntryBody::Signature sig;
  CSP_TRY(sig.signature, Base64At(spec, {"signature", "content"}, name));
  CSP_TRY(sig.key_pem, Base64At(spec, {"signature", "publicKey", "content"}, name));
  body.signatures.push_back(std::move(sig));
  return {};
}

Status ReadDsse(const json& spec, EntryBody& body) {
  std::string hash_name = "body.spec";
  CSP_TRY(const json* hash, At(spec, {"payloadHash"}, hash_name));
  if (Status s = ReadHash(*hash, hash_name, body); !s) return s;
  CSP_TRY(std::vector<const json*> list, Signatures(spec, {"signatures"}, "body.spec"));
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string name = "body.spec.signatures[" + std::to_string(i) + "]";
    EntryBody::Signature sig;
    CSP_TRY(sig.signature, Base64At(*list[i], {"signature"}, name));
    CSP_TRY(sig.key_pem, Base64At(*list[i], {"verifier"}, name));
    body.signatures.push_back(std::move(sig));
  }
  return {};
}

Status ReadIntoto(const json& spec, EntryBody& body) {
  std::string hash_name = "body.spec";
  CSP_TRY(const json* hash, At(spec, {"content", "payloadHash"}, hash_name));
  if (Status s = ReadHash(*hash, hash_name, body); !s) return s;
  CSP_TRY(std::vector<const json*> list,
          Signatures(spec, {"content", "envelope", "signatures"}, "body.spec"));
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string name = "body.spec.content.envelope.signatures[" + std::to_string(i) + "]";
    EntryBody::Signature sig;
    CSP_TRY(std::string text, Base64At(*list[i], {"sig"}, name));
    Result<std::string> raw = DecodeBase64(text);
    if (!raw) return InvalidArgument(name + ".sig: not base64 of a base64 signature");
    sig.signature = std::move(*raw);
    CSP_TRY(sig.key_pem, Base64At(*list[i], {"publicKey"}, name));
    body.signatures.push_back(std::move(sig));
  }
  return {};
}

}  // namespace

Result<EntryBody> ParseEntryBody(std::string_view bytes) {
  CSP_TRY(json doc, ParseObject(bytes, kMaxBodyBytes, "body"));
  EntryBody body;
  CSP_TRY(body.kind, StringAt(doc, {"kind"}, "body"));
  CSP_TRY(body.api_version, StringAt(doc, {"apiVersion"}, "body"));
  std::string spec_name = "body";
  CSP_TRY(const json* spec, At(doc, {"spec"}, spec_name));
  const std::string kind_version = body.kind + " " + body.api_version;
  Status read;
  if (kind_version == "hashedrekord 0.0.1") {
    read = ReadHashedRekord(*spec, body);
  } else if (kind_version == "dsse 0.0.1") {
    read = ReadDsse(*spec, body);
  } else if (kind_version == "intoto 0.0.2") {
    read = ReadIntoto(*spec, body);
  } else {
    return InvalidArgument("body: entry kind " + kind_version.substr(0, 80) +
                           " is not read (want hashedrekord 0.0.1, dsse 0.0.1 or intoto 0.0.2)");
  }
  if (!read) return read.error();
  return body;
}

}  // namespace csp::signature::internal
