#include "json_document.h"

namespace csp::signature::internal {

Result<nlohmann::json> ParseObject(std::string_view bytes, std::size_t max_bytes,
                                   std::string_view what) {
  const std::string prefix(what);
  if (bytes.size() > max_bytes) {
    return InvalidArgument(prefix + ": " + std::to_string(bytes.size()) +
                           " bytes exceed the limit of " + std::to_string(max_bytes));
  }
  bool too_deep = false;
  // Values below the limit are dropped as they are read, so nothing deep is ever built.
  auto bound = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  nlohmann::json doc = nlohmann::json::parse(bytes.begin(), bytes.end(), bound, false);
  if (too_deep) {
    return InvalidArgument(prefix + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth));
  }
  if (doc.is_discarded()) return InvalidArgument(prefix + ": invalid JSON");
  if (!doc.is_object()) return InvalidArgument(prefix + ": not a JSON object");
  return doc;
}

Result<std::map<std::string, std::string>> StringMapAt(const nlohmann::json& object,
                                                       std::string_view key,
                                                       std::string_view what) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  const std::string name = std::string(what) + "." + std::string(key);
  if (!it->is_object()) return InvalidArgument(name + ": not an object");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return InvalidArgument(name + "[" + k + "]: not a string");
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

}  // namespace csp::signature::internal
