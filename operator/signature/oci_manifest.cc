#include "csp/signature/oci_manifest.h"

#include <cstdint>

#include "csp/common/json_fields.h"
#include "digest.h"
#include "json_document.h"

namespace csp::signature {
namespace {

using nlohmann::json;

Result<Descriptor> ParseDescriptor(const json& value, const std::string& what) {
  if (!value.is_object()) return InvalidArgument(what + ": not an object");
  Descriptor d;
  d.media_type = std::string(StringAt(value, "mediaType"));
  if (d.media_type.empty()) return InvalidArgument(what + ".mediaType: missing");
  d.digest = std::string(StringAt(value, "digest"));
  if (Status s = ValidateDigest(d.digest); !s) {
    return InvalidArgument(what + ".digest: " + s.error().message);
  }
  const json* size = FieldAt(value, "size");
  if (size == nullptr || !size->is_number_integer()) {
    return InvalidArgument(what + ".size: missing or not an integer");
  }
  if (size->is_number_unsigned() ? size->get<std::uint64_t>() > INT64_MAX
                                 : size->get<std::int64_t>() < 0) {
    return InvalidArgument(what + ".size: negative or out of range");
  }
  d.size = size->get<std::int64_t>();
  d.artifact_type = std::string(StringAt(value, "artifactType"));
  CSP_TRY(d.annotations, internal::StringMapAt(value, "annotations", what));
  return d;
}

Result<std::vector<Descriptor>> ParseDescriptors(const json& doc, const char* key,
                                                 const std::string& what) {
  const json* list = FieldAt(doc, key);
  const std::string name = what + "." + key;
  if (list == nullptr || list->is_null()) return std::vector<Descriptor>();
  if (!list->is_array()) return InvalidArgument(name + ": not an array");
  std::vector<Descriptor> out;
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    CSP_TRY(Descriptor d, ParseDescriptor((*list)[i], name + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::optional<Descriptor>> ParseSubject(const json& doc, const std::string& what) {
  const json* subject = FieldAt(doc, "subject");
  if (subject == nullptr || subject->is_null()) return std::optional<Descriptor>();
  CSP_TRY(Descriptor d, ParseDescriptor(*subject, what + ".subject"));
  return std::optional<Descriptor>(std::move(d));
}

// schemaVersion 2 and a mediaType among `allowed` ("" stands for an absent one).
Status CheckHeader(const json& doc, std::initializer_list<std::string_view> allowed,
                   const std::string& what) {
  const json* version = FieldAt(doc, "schemaVersion");
  if (version == nullptr || !version->is_number_integer() || *version != 2) {
    return InvalidArgument(what + ": schemaVersion is not 2");
  }
  const json* media_type = FieldAt(doc, "mediaType");
  if (media_type != nullptr && !media_type->is_string()) {
    return InvalidArgument(what + ": mediaType is not a string");
  }
  const std::string_view type = StringAt(doc, "mediaType");
  for (std::string_view a : allowed) {
    if (type == a) return {};
  }
  std::string want;
  for (std::string_view a : allowed) {
    if (a.empty()) continue;
    want += (want.empty() ? "" : " or ") + std::string(a);
  }
  return InvalidArgument(what + ": unexpected mediaType \"" + std::string(type) + "\" (want " +
                         want + ")");
}

Result<Index> ParseIndexOf(std::string_view bytes, std::size_t max_bytes,
                           std::initializer_list<std::string_view> allowed,
                           const std::string& what) {
  CSP_TRY(json doc, internal::ParseObject(bytes, max_bytes, what));
  if (Status s = CheckHeader(doc, allowed, what); !s) return s.error();
  if (FieldAt(doc, "config") != nullptr || FieldAt(doc, "layers") != nullptr) {
    return InvalidArgument(what + ": has config/layers: an image manifest, not an index");
  }
  const json* manifests = FieldAt(doc, "manifests");
  if (manifests == nullptr || !manifests->is_array()) {
    return InvalidArgument(what + ".manifests: missing or not an array");
  }
  Index index;
  index.media_type = std::string(StringAt(doc, "mediaType"));
  index.artifact_type = std::string(StringAt(doc, "artifactType"));
  CSP_TRY(index.manifests, ParseDescriptors(doc, "manifests", what));
  CSP_TRY(index.subject, ParseSubject(doc, what));
  CSP_TRY(index.annotations, internal::StringMapAt(doc, "annotations", what));
  return index;
}

}  // namespace

std::string Sha256Digest(std::string_view bytes) {
  return "sha256:" + internal::Hex(internal::Sha256(bytes));
}

Status ValidateDigest(std::string_view digest) {
  const std::size_t colon = digest.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("digest \"" + std::string(digest.substr(0, 80)) +
                           "\" has no algorithm prefix (want sha256:<64 hex>)");
  }
  if (digest.substr(0, colon) != "sha256") {
    return InvalidArgument("digest algorithm \"" + std::string(digest.substr(0, colon)) +
                           "\" is not supported (want sha256)");
  }
  const std::string_view hex = digest.substr(colon + 1);
  if (hex.size() != 64) {
    return InvalidArgument("sha256 digest has " + std::to_string(hex.size()) +
                           " hex digits, want 64");
  }
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return InvalidArgument("sha256 digest holds a character other than 0-9a-f");
    }
  }
  return {};
}

Result<Manifest> ParseManifest(std::string_view bytes, std::size_t max_bytes) {
  const std::string what = "manifest";
  CSP_TRY(json doc, internal::ParseObject(bytes, max_bytes, what));
  if (Status s =
          CheckHeader(doc, {"", media_types::kOciManifest, media_types::kDockerManifest}, what);
      !s) {
    return s.error();
  }
  if (FieldAt(doc, "manifests") != nullptr) {
    return InvalidArgument(what + ": has manifests: an index, not an image manifest");
  }
  Manifest m;
  m.media_type = std::string(StringAt(doc, "mediaType"));
  m.artifact_type = std::string(StringAt(doc, "artifactType"));
  const json* config = FieldAt(doc, "config");
  if (config == nullptr) return InvalidArgument(what + ".config: missing");
  CSP_TRY(m.config, ParseDescriptor(*config, what + ".config"));
  const json* layers = FieldAt(doc, "layers");
  if (layers == nullptr || !layers->is_array()) {
    return InvalidArgument(what + ".layers: missing or not an array");
  }
  CSP_TRY(m.layers, ParseDescriptors(doc, "layers", what));
  CSP_TRY(m.subject, ParseSubject(doc, what));
  CSP_TRY(m.annotations, internal::StringMapAt(doc, "annotations", what));
  return m;
}

Result<Index> ParseIndex(std::string_view bytes, std::size_t max_bytes) {
  return ParseIndexOf(bytes, max_bytes,
                      {"", media_types::kOciIndex, media_types::kDockerManifestList}, "index");
}

Result<Index> ParseReferrers(std::string_view bytes, std::size_t max_bytes) {
  return ParseIndexOf(bytes, max_bytes, {"", media_types::kOciIndex}, "referrers");
}

}  // namespace csp::signature
