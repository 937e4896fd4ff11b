#include "csp/controllers/workload_kind_status.h"

#include "csp/controllers/policy_status.h"

namespace csp::controllers {

using json = nlohmann::json;

namespace {

bool ServesKind(const json& resource, std::string_view kind) {
  return resource.is_object() && resource.value("kind", json()) == kind &&
         resource.value("name", json()).is_string();
}

struct Condition {
  const char* status;
  const char* reason;
};

Condition ConditionOf(KindState state) {
  switch (state) {
    case KindState::kWatching:
      return {"True", "Watching"};
    case KindState::kListing:
      return {"Unknown", "Listing"};
    case KindState::kNotInstalled:
      return {"False", "NotInstalled"};
    case KindState::kInvalidSpec:
      return {"False", "InvalidSpec"};
    case KindState::kForbidden:
      return {"False", "Forbidden"};
  }
  return {"Unknown", "Listing"};
}

}  // namespace

std::optional<DiscoveredKind> FindInDiscovery(const json& resource_list,
                                              const policy::WorkloadKind& kind) {
  if (!resource_list.is_object()) return std::nullopt;
  auto resources = resource_list.find("resources");
  if (resources == resource_list.end() || !resources->is_array()) return std::nullopt;
  std::optional<DiscoveredKind> found;
  for (const json& r : *resources) {
    if (!ServesKind(r, kind.kind)) continue;
    const std::string& name = r["name"].get_ref<const std::string&>();
    // Subresources ("rollouts/status") name the kind they belong to as well.
    if (name.find('/') != std::string::npos) continue;
    if (!kind.resource.empty() && name != kind.resource) continue;
    found = DiscoveredKind{.resource = name, .namespaced = r.value("namespaced", true)};
    break;
  }
  if (!found) return std::nullopt;
  const std::string scale = found->resource + "/scale";
  for (const json& r : *resources) {
    if (r.is_object() && r.value("name", json()) == scale) found->scale = true;
  }
  return found;
}

json WorkloadKindStatus(const KindStatusInput& in) {
  const Condition c = ConditionOf(in.state);
  std::string message = in.message;
  if (message.empty()) {
    message = in.state == KindState::kWatching ? "listed and watched" : "listing";
  }
  json status = json::object();
  status["observedGeneration"] = in.generation;
  if (in.discovered) {
    status["resource"] = in.discovered->resource;
    status["scaleSubresource"] = in.discovered->scale;
  }
  std::string since = FormatTime(in.now);
  if (in.previous && in.previous->is_object()) {
    auto conditions = in.previous->find("conditions");
    if (conditions != in.previous->end() && conditions->is_array()) {
      for (const json& prev : *conditions) {
        if (!prev.is_object() || prev.value("type", json()) != "Ready") continue;
        auto t = prev.find("lastTransitionTime");
        if (prev.value("status", json()) == c.status && t != prev.end() && t->is_string()) {
          since = t->get<std::string>();
        }
      }
    }
  }
  status["conditions"] = json::array({{{"type", "Ready"},
                                       {"status", c.status},
                                       {"reason", c.reason},
                                       {"message", std::move(message)},
                                       {"observedGeneration", in.generation},
                                       {"lastTransitionTime", since}}});
  return status;
}

}  // namespace csp::controllers
