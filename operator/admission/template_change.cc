#include "csp/admission/template_change.h"

#include <map>
#include <string_view>

#include "csp/names/names.h"

namespace csp::admission {
namespace {

using json = nlohmann::json;

// nodeSelector without the operator's quarantine key; null when nothing else is left.
json NodeSelectorOfOwner(const json& selector) {
  if (!selector.is_object()) return selector;
  json out = selector;
  out.erase(std::string(names::kQuarantineKey));
  return out.empty() ? json() : out;
}

const json& FieldOrNull(const json& object, const std::string& key) {
  static const json kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

bool SameField(const std::string& key, const json& a, const json& b) {
  if (key == "nodeSelector") return NodeSelectorOfOwner(a) == NodeSelectorOfOwner(b);
  return a == b;
}

// Pod specs compared member by member (a null member counts as absent).
bool SamePodSpec(const json& a, const json& b) {
  if (!a.is_object() || !b.is_object()) return a == b;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (!SameField(it.key(), *it, FieldOrNull(b, it.key()))) return false;
  }
  for (auto it = b.begin(); it != b.end(); ++it) {
    if (!a.contains(it.key()) && !SameField(it.key(), json(), *it)) return false;
  }
  return true;
}

std::map<std::string_view, const json*> AppArmorAnnotations(const json* annotations) {
  std::map<std::string_view, const json*> out;
  if (annotations == nullptr || !annotations->is_object()) return out;
  for (auto it = annotations->begin(); it != annotations->end(); ++it) {
    const std::string& key = it.key();
    if (key.starts_with(names::kAppArmorAnnotationPrefix) && !it->is_null()) out[key] = &*it;
  }
  return out;
}

bool SameAppArmorAnnotations(const json* a, const json* b) {
  auto old_values = AppArmorAnnotations(a), new_values = AppArmorAnnotations(b);
  if (old_values.size() != new_values.size()) return false;
  for (const auto& [key, value] : old_values) {
    auto it = new_values.find(key);
    if (it == new_values.end() || *it->second != *value) return false;
  }
  return true;
}

}  // namespace

bool PodTemplateChanged(const policy::Workload& old_workload,
                        const policy::Workload& new_workload) {
  static const json kEmpty = json::object();
  const json& old_spec = old_workload.pod_spec ? *old_workload.pod_spec : kEmpty;
  const json& new_spec = new_workload.pod_spec ? *new_workload.pod_spec : kEmpty;
  return !SamePodSpec(old_spec, new_spec) ||
         !SameAppArmorAnnotations(old_workload.annotations, new_workload.annotations);
}

}  // namespace csp::admission
