#include "json_fields.h"

#include "csp/profiles/quote.h"

namespace csp::profiles::internal {

std::string At(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string AtIndex(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string TypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    case nlohmann::json::value_t::array:
      return "a list";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    default:
      return "null";
  }
}

Error FieldError(const std::string& path, const std::string& message) {
  return InvalidArgument(path + ": " + message);
}

Status CheckObject(const nlohmann::json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) {
    return FieldError(path.empty() ? "document" : path,
                      "must be an object, not " + TypeName(value));
  }
  for (const auto& [key, unused] : value.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) {
      return FieldError(At(path, key), "unknown field (known: " + JoinComma(allowed) + ")");
    }
  }
  return {};
}

Result<std::string> GetString(const nlohmann::json& value, const std::string& path) {
  if (!value.is_string()) return FieldError(path, "must be a string, not " + TypeName(value));
  return value.get<std::string>();
}

Result<std::uint64_t> GetUnsigned(const nlohmann::json& value, const std::string& path) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    const auto signed_value = value.get<std::int64_t>();
    if (signed_value < 0) {
      return FieldError(path, "must not be negative, not " + std::to_string(signed_value));
    }
    return static_cast<std::uint64_t>(signed_value);
  }
  return FieldError(path, "must be a non-negative integer, not " + TypeName(value) +
                              (value.is_number_float() ? " with a fraction" : ""));
}

Result<std::vector<std::string>> GetStringList(const nlohmann::json& value, const std::string& path,
                                               std::size_t max_items) {
  if (!value.is_array()) {
    return FieldError(path, "must be a list of strings, not " + TypeName(value));
  }
  if (value.size() > max_items) {
    return FieldError(path, "has " + std::to_string(value.size()) + " items; at most " +
                                std::to_string(max_items) + " are allowed");
  }
  std::vector<std::string> out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    CSP_TRY(std::string item, GetString(value[i], AtIndex(path, i)));
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace csp::profiles::internal
