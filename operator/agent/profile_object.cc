#include "csp/agent/profile_object.h"

#include "csp/common/json_fields.h"
#include "csp/names/names.h"
#include "csp/profiles/security_profile.h"

namespace csp::agent {
namespace {

const nlohmann::json& Field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

nlohmann::json WithTypeMeta(nlohmann::json object) {
  object["apiVersion"] = std::string(names::kApiVersion);
  object["kind"] = std::string(names::kSecurityProfiles.kind);
  return object;
}

}  // namespace

bool SelectsNode(const ProfileObject& object,
                 const std::map<std::string, std::string>& node_labels) {
  for (const auto& [key, value] : object.parsed->node_selector) {
    auto label = node_labels.find(key);
    if (label == node_labels.end() || label->second != value) return false;
  }
  return true;
}

ParsedProfile ParseProfileSpec(const nlohmann::json& object) {
  ParsedProfile out;
  // Items of a LIST come without apiVersion and kind; the parser wants them.
  Result<profiles::SecurityProfile> profile =
      object.is_object() && (!object.contains("apiVersion") || !object.contains("kind"))
          ? profiles::ParseSecurityProfile(WithTypeMeta(object))
          : profiles::ParseSecurityProfile(object);
  if (profile) {
    out.kind = profile->kind;
    out.node_selector = profile->node_selector;
    out.rendered = std::make_shared<const profiles::RenderedProfile>(
        profiles::RenderSecurityProfile(*profile));
    return out;
  }
  out.error = profile.error().message;
  // Best effort, for the report: the type and a well-formed selector.
  const nlohmann::json& spec = Field(object, "spec");
  const std::string type(StringAt(spec, "type"));
  if (type == profiles::ProfileKindName(profiles::ProfileKind::kSeccomp))
    out.kind = profiles::ProfileKind::kSeccomp;
  if (type == profiles::ProfileKindName(profiles::ProfileKind::kAppArmor))
    out.kind = profiles::ProfileKind::kAppArmor;
  const nlohmann::json& selector = Field(spec, "nodeSelector");
  if (selector.is_object()) {
    for (const auto& [key, value] : selector.items()) {
      if (!value.is_string()) {
        out.node_selector.clear();
        break;
      }
      out.node_selector[key] = value.get<std::string>();
    }
  }
  return out;
}

ProfileObject ProfileObjectTransform::operator()(const nlohmann::json& object) {
  const nlohmann::json& metadata = Field(object, "metadata");
  ProfileObject out{.name = std::string(StringAt(metadata, "name")),
                    .uid = std::string(StringAt(metadata, "uid"))};
  const nlohmann::json& generation = Field(metadata, "generation");
  if (generation.is_number_integer()) out.generation = generation.get<std::int64_t>();
  out.own_status = FindNodeStatus(Field(object, "status"), node_);

  // Without a uid and a generation (never so from the API server) there is nothing to key on.
  if (out.uid.empty() || out.generation == 0) {
    out.parsed = std::make_shared<const ParsedProfile>(ParseProfileSpec(object));
    return out;
  }
  std::lock_guard lock(mu_);
  auto cached = cache_.find(out.name);
  if (cached != cache_.end() && cached->second.uid == out.uid &&
      cached->second.generation == out.generation) {
    out.parsed = cached->second.parsed;
    return out;
  }
  out.parsed = std::make_shared<const ParsedProfile>(ParseProfileSpec(object));
  cache_.insert_or_assign(out.name, CachedSpec{out.uid, out.generation, out.parsed});
  return out;
}

void ProfileObjectTransform::Forget(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(name);
  if (it != cache_.end()) cache_.erase(it);
}

}  // namespace csp::agent
