// Reading fields of JSON the project did not write (API objects, manifests, reports) without
// throwing: nlohmann's value() and get() throw on a missing member or another type, these
// answer "absent" instead. The one set of such readers for every library.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace csp {

// object[key], or null when `object` is not an object or has no such member.
inline const nlohmann::json* FieldAt(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The string object[key], or null when it is missing or not a string.
inline const std::string* StringPtrAt(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* v = FieldAt(object, key);
  return v != nullptr && v->is_string() ? &v->get_ref<const std::string&>() : nullptr;
}

// The string object[key], or "" when it is missing or not a string. The view lives as long as
// `object` is not changed.
inline std::string_view StringAt(const nlohmann::json& object, std::string_view key) {
  const std::string* s = StringPtrAt(object, key);
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

}  // namespace csp
