#include "csp/controllers/gitops_owner.h"

#include <optional>

namespace csp::controllers {

using json = nlohmann::json;

namespace {

std::optional<std::string> StringIn(const json& metadata, const char* map, std::string_view key) {
  if (key.empty() || !metadata.is_object()) return std::nullopt;
  auto m = metadata.find(map);
  if (m == metadata.end() || !m->is_object()) return std::nullopt;
  auto it = m->find(key);
  if (it == m->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

// "<kind>/<ns>/<name>" from a Flux toolkit's name and namespace labels.
std::optional<std::string> Flux(const json& metadata, std::string_view toolkit,
                                std::string_view kind) {
  const std::string prefix = std::string(toolkit) + ".toolkit.fluxcd.io/";
  std::optional<std::string> name = StringIn(metadata, "labels", prefix + "name");
  if (!name) return std::nullopt;
  std::optional<std::string> ns = StringIn(metadata, "labels", prefix + "namespace");
  if (!ns) {
    auto own = metadata.find("namespace");
    ns = own != metadata.end() && own->is_string() ? own->get<std::string>() : "";
  }
  return std::string(kind) + "/" + *ns + "/" + *name;
}

}  // namespace

std::string GitOpsOwner(const json& object, std::string_view argocd_instance_label) {
  if (!object.is_object()) return "";
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  if (auto id = StringIn(*meta, "annotations", "argocd.argoproj.io/tracking-id")) {
    const std::string app = id->substr(0, id->find(':'));
    if (!app.empty()) return "argocd/" + app;
  }
  if (auto f = Flux(*meta, "kustomize", "flux-kustomization")) return *f;
  if (auto f = Flux(*meta, "helm", "flux-helmrelease")) return *f;
  if (auto app = StringIn(*meta, "labels", argocd_instance_label)) return "argocd/" + *app;
  return "";
}

}  // namespace csp::controllers
