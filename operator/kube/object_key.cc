#include "csp/kube/object_key.h"

#include "csp/common/json_fields.h"

namespace csp::kube {

std::string ObjectKey(std::string_view ns, std::string_view name) {
  if (ns.empty()) return std::string(name);
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).append("/").append(name);
  return key;
}

std::string ObjectKey(const nlohmann::json& object) {
  if (!object.is_object()) return "";
  const auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  const std::string name(StringAt(*metadata, "name"));
  if (name.empty()) return "";
  return ObjectKey(StringAt(*metadata, "namespace"), name);
}

std::pair<std::string, std::string> SplitObjectKey(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

}  // namespace csp::kube
