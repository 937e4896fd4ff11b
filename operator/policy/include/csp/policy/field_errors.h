// Collects every invalid field of a document, so that a user sees all problems at once.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace csp::policy {

struct FieldError {
  std::string path = {};     // "spec.controls.capabilities.allowed[2]"
  std::string message = {};  // "\"SYS ADMIN\" is not a capability name"
};

class FieldErrors {
 public:
  void Add(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }
  bool empty() const { return errors_.empty(); }
  const std::vector<FieldError>& all() const { return errors_; }
  // One "path: message" per line.
  std::string ToString() const;

 private:
  std::vector<FieldError> errors_;
};

// The JSON type name used in messages: "string", "object", "array", "boolean", ...
std::string_view JsonTypeName(const nlohmann::json& v);

// Helpers that check a field's type and report `path: expected X, got Y` on mismatch.
// They return nullptr (or false) when the field is absent or mistyped.
inline const nlohmann::json* GetField(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}
// Reports the mismatch; ExpectType's slow path.
bool ReportType(const nlohmann::json& v, nlohmann::json::value_t want, const std::string& path,
                FieldErrors& errors);
inline bool ExpectType(const nlohmann::json& v, nlohmann::json::value_t want,
                       const std::string& path, FieldErrors& errors) {
  if (v.type() == want) return true;
  return ReportType(v, want, path, errors);
}
// Reads the boolean field `key` of `object` (at `path`) into `out`; absent leaves `out` alone.
void ReadBool(const nlohmann::json& object, std::string_view key, const std::string& path,
              FieldErrors& errors, bool& out);

// Reads a list of strings (array of strings) into `out`.
void ReadStringList(const nlohmann::json& v, const std::string& path, FieldErrors& errors,
                    std::vector<std::string>& out);
// Checks `object`'s kind and apiVersion (each must equal the one given) and reads its
// metadata.name (required, a non-empty string), reporting each problem. Returns the name, or ""
// when it is missing or mistyped.
std::string ReadTypeAndName(const nlohmann::json& object, std::string_view kind,
                            std::string_view api_version, FieldErrors& errors);

// Reports every key of `object` not in `known` as `path.key: unknown field`.
void RejectUnknownFields(const nlohmann::json& object, std::span<const std::string_view> known,
                         const std::string& path, FieldErrors& errors);

}  // namespace csp::policy
