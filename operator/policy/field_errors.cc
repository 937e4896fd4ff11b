#include "csp/policy/field_errors.h"

#include <algorithm>

namespace csp::policy {

std::string FieldErrors::ToString() const {
  std::string out;
  for (const FieldError& e : errors_) {
    if (!out.empty()) out += '\n';
    out += e.path + ": " + e.message;
  }
  return out;
}

std::string_view JsonTypeName(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "integer";
    case nlohmann::json::value_t::number_float:
      return "number";
    default:
      return "binary";
  }
}

namespace {
std::string_view WantName(nlohmann::json::value_t t) {
  switch (t) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    default:
      return "an integer";
  }
}
}  // namespace

bool ReportType(const nlohmann::json& v, nlohmann::json::value_t want, const std::string& path,
                FieldErrors& errors) {
  bool ok = v.type() == want;
  if (want == nlohmann::json::value_t::number_integer) ok = v.is_number_integer();
  if (!ok) {
    errors.Add(path,
               "expected " + std::string(WantName(want)) + ", got " + std::string(JsonTypeName(v)));
  }
  return ok;
}

void ReadBool(const nlohmann::json& object, std::string_view key, const std::string& path,
              FieldErrors& errors, bool& out) {
  const nlohmann::json* v = GetField(object, key);
  if (v != nullptr &&
      ExpectType(*v, nlohmann::json::value_t::boolean, path + "." + std::string(key), errors)) {
    out = v->get<bool>();
  }
}

void ReadStringList(const nlohmann::json& v, const std::string& path, FieldErrors& errors,
                    std::vector<std::string>& out) {
  if (!ExpectType(v, nlohmann::json::value_t::array, path, errors)) return;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string item_path = path + "[" + std::to_string(i) + "]";
    if (ExpectType(v[i], nlohmann::json::value_t::string, item_path, errors)) {
      out.push_back(v[i].get<std::string>());
    }
  }
}

void RejectUnknownFields(const nlohmann::json& object, std::span<const std::string_view> known,
                         const std::string& path, FieldErrors& errors) {
  if (!object.is_object()) return;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      errors.Add(path + "." + it.key(), "unknown field");
    }
  }
}

std::string ReadTypeAndName(const nlohmann::json& object, std::string_view kind,
                            std::string_view api_version, FieldErrors& errors) {
  const nlohmann::json* k = GetField(object, "kind");
  if (k == nullptr || *k != kind) errors.Add("kind", "expected " + std::string(kind));
  const nlohmann::json* v = GetField(object, "apiVersion");
  if (v == nullptr || *v != api_version) {
    errors.Add("apiVersion", "expected " + std::string(api_version));
  }
  const nlohmann::json* meta = GetField(object, "metadata");
  const nlohmann::json* name =
      meta != nullptr && meta->is_object() ? GetField(*meta, "name") : nullptr;
  if (name == nullptr) {
    errors.Add("metadata.name", "required");
    return {};
  }
  if (!ExpectType(*name, nlohmann::json::value_t::string, "metadata.name", errors)) return {};
  if (name->get_ref<const std::string&>().empty()) errors.Add("metadata.name", "required");
  return name->get<std::string>();
}

}  // namespace csp::policy
