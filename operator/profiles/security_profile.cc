#include "csp/profiles/security_profile.h"

#include "csp/profiles/apparmor_policy.h"
#include "csp/profiles/profile_name.h"
#include "csp/profiles/quote.h"
#include "json_fields.h"

namespace csp::profiles {
namespace {

using internal::At;
using internal::FieldError;

// The string at `key`, or "" when it is missing or not a string (json::value would throw).
std::string StringOrEmpty(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status CheckTypeMeta(const nlohmann::json& object) {
  const std::string api_version = StringOrEmpty(object, "apiVersion");
  const std::string kind = StringOrEmpty(object, "kind");
  if (api_version != names::kApiVersion || kind != names::kSecurityProfiles.kind) {
    return InvalidArgument("not a SecurityProfile: apiVersion " + Quote(api_version) + ", kind " +
                           Quote(kind) + " (want " + std::string(names::kApiVersion) + ", " +
                           std::string(names::kSecurityProfiles.kind) + ")");
  }
  return {};
}

Result<std::string> ParseName(const nlohmann::json& object) {
  if (!object.contains("metadata") || !object["metadata"].is_object() ||
      !object["metadata"].contains("name")) {
    return FieldError("metadata.name", "is required");
  }
  CSP_TRY(std::string name, internal::GetString(object["metadata"]["name"], "metadata.name"));
  if (Status s = ValidateProfileName(name); !s)
    return FieldError("metadata.name", s.error().message);
  if (name == names::kDefaultProfileName) {
    return FieldError("metadata.name", Quote(name) + " is reserved for the built-in profiles");
  }
  return name;
}

Result<std::map<std::string, std::string>> ParseNodeSelector(const nlohmann::json& value) {
  const std::string path = "spec.nodeSelector";
  if (!value.is_object()) {
    return FieldError(path, "must map label names to values, not " + internal::TypeName(value));
  }
  std::map<std::string, std::string> out;
  for (const auto& [key, label_value] : value.items()) {
    CSP_TRY(out[key], internal::GetString(label_value, At(path, key)));
  }
  return out;
}

}  // namespace

Result<SecurityProfile> ParseSecurityProfile(const nlohmann::json& object) {
  if (!object.is_object()) {
    return InvalidArgument("a SecurityProfile must be an object, not " +
                           internal::TypeName(object));
  }
  if (Status s = CheckTypeMeta(object); !s) return s.error();
  SecurityProfile out;
  CSP_TRY(out.name, ParseName(object));
  if (!object.contains("spec")) return FieldError("spec", "is required");
  const nlohmann::json& spec = object["spec"];
  if (Status s =
          internal::CheckObject(spec, "spec", {"type", "seccomp", "appArmor", "nodeSelector"});
      !s) {
    return s.error();
  }
  if (!spec.contains("type")) return FieldError("spec.type", "is required (Seccomp or AppArmor)");
  CSP_TRY(std::string type, internal::GetString(spec["type"], "spec.type"));
  if (type == names::kSeccompType) {
    out.kind = ProfileKind::kSeccomp;
    if (spec.contains("appArmor")) {
      return FieldError("spec.appArmor", "must not be set when spec.type is Seccomp");
    }
    if (!spec.contains("seccomp")) {
      return FieldError("spec.seccomp", "is required when spec.type is Seccomp");
    }
    CSP_TRY(out.seccomp, ParseSeccompProfile(spec["seccomp"], "spec.seccomp"));
  } else if (type == names::kAppArmorType) {
    out.kind = ProfileKind::kAppArmor;
    if (spec.contains("seccomp")) {
      return FieldError("spec.seccomp", "must not be set when spec.type is AppArmor");
    }
    if (!spec.contains("appArmor")) {
      return FieldError("spec.appArmor", "is required when spec.type is AppArmor");
    }
    CSP_TRY(out.app_armor, internal::GetString(spec["appArmor"], "spec.appArmor"));
    if (Status s = CheckAppArmorPolicy(out.name, out.app_armor, "spec.appArmor"); !s) {
      return s.error();
    }
  } else {
    return FieldError("spec.type", Quote(type) + " is not a profile type (Seccomp or AppArmor)");
  }
  if (spec.contains("nodeSelector")) {
    CSP_TRY(out.node_selector, ParseNodeSelector(spec["nodeSelector"]));
  }
  return out;
}

RenderedProfile RenderSecurityProfile(const SecurityProfile& profile) {
  RenderedProfile out{.kind = profile.kind, .name = profile.name};
  if (profile.kind == ProfileKind::kSeccomp) {
    out.bytes = SeccompProfileToJson(profile.seccomp.value_or(SeccompProfile{}));
  } else {
    out.bytes = profile.app_armor;
    if (!out.bytes.ends_with('\n')) out.bytes += '\n';
  }
  return out;
}

bool SelectsNode(const SecurityProfile& profile,
                 const std::map<std::string, std::string>& node_labels) {
  for (const auto& [key, value] : profile.node_selector) {
    auto label = node_labels.find(key);
    if (label == node_labels.end() || label->second != value) return false;
  }
  return true;
}

}  // namespace csp::profiles
