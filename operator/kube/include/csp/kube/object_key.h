// Cache keys of Kubernetes objects, as client-go's MetaNamespaceKeyFunc makes them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace csp::kube {

// "namespace/name" for a namespaced object, "name" for a cluster-scoped one (no
// metadata.namespace). "" when the object has no metadata.name.
std::string ObjectKey(const nlohmann::json& object);
std::string ObjectKey(std::string_view ns, std::string_view name);

// The inverse: {"namespace", "name"}, or {"", "name"} for a key without '/'.
std::pair<std::string, std::string> SplitObjectKey(std::string_view key);

}  // namespace csp::kube
