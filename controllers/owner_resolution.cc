#include "csp/controllers/owner_resolution.h"

#include <set>
#include <utility>

#include "csp/common/json_fields.h"

namespace csp::controllers {

using json = nlohmann::json;

namespace {

// Deployment -> ReplicaSet -> Pod is the longest chain of built-in kinds; the bound only
// guards against reference cycles.
constexpr int kMaxDepth = 8;

const json& Metadata(const json& object) {
  static const json kEmpty = json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find("metadata");
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

policy::WorkloadRef RefOf(const json& object) {
  const json& meta = Metadata(object);
  return {.api_version = std::string(StringAt(object, "apiVersion")),
          .kind = std::string(StringAt(object, "kind")),
          .ns = std::string(StringAt(meta, "namespace")),
          .name = std::string(StringAt(meta, "name")),
          .uid = std::string(StringAt(meta, "uid"))};
}

policy::WorkloadRef RefOf(const OwnerReference& owner, const std::string& ns) {
  return {.api_version = owner.api_version,
          .kind = owner.kind,
          .ns = ns,
          .name = owner.name,
          .uid = owner.uid};
}

}  // namespace

std::optional<OwnerReference> ControllerRef(const json& object) {
  const json& meta = Metadata(object);
  auto refs = meta.find("ownerReferences");
  if (refs == meta.end() || !refs->is_array()) return std::nullopt;
  for (const json& ref : *refs) {
    if (!ref.is_object()) continue;
    auto controller = ref.find("controller");
    if (controller == ref.end() || !controller->is_boolean() || !controller->get<bool>()) continue;
    OwnerReference out{.api_version = std::string(StringAt(ref, "apiVersion")),
                       .kind = std::string(StringAt(ref, "kind")),
                       .name = std::string(StringAt(ref, "name")),
                       .uid = std::string(StringAt(ref, "uid"))};
    if (out.kind.empty() || out.name.empty()) continue;
    return out;
  }
  return std::nullopt;
}

Resolution ResolveOwner(const json& object, const OwnerLookup& lookup) {
  Resolution r{.top = RefOf(object)};
  const std::string ns = r.top.ns;  // owners of namespaced objects share their namespace
  const json* current = &object;
  std::set<std::pair<std::string, std::string>> seen = {{r.top.kind, r.top.name}};
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    std::optional<OwnerReference> owner = ControllerRef(*current);
    if (!owner) break;
    if (!policy::IsWorkloadKind(policy::ApiGroup(owner->api_version), owner->kind)) break;
    // A cycle (never made by Kubernetes' controllers): the last object before it is the top.
    if (!seen.insert({owner->kind, owner->name}).second) break;
    const json* cached = lookup ? lookup(*owner, ns) : nullptr;
    // A cached object of the same name but another uid is a successor, not this owner.
    if (cached && !owner->uid.empty()) {
      std::string uid(StringAt(Metadata(*cached), "uid"));
      if (!uid.empty() && uid != owner->uid) cached = nullptr;
    }
    r.top = RefOf(*owner, ns);
    r.is_self = false;
    if (!cached) {
      r.owner_missing = true;
      break;
    }
    current = cached;
  }
  return r;
}

}  // namespace csp::controllers
