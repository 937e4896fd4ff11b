// SecurityProfile objects (containersecurity.dev/v1alpha1, cluster-scoped): a custom seccomp or
// AppArmor profile for the nodes its nodeSelector picks. Parsing is strict and every error names
// its field, for the object's status and for `csp-agent render -f`.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "csp/common/result.h"
#include "csp/names/names.h"
#include "csp/profiles/profile_kind.h"
#include "csp/profiles/seccomp_profile.h"

namespace csp::profiles {

struct SecurityProfile {
  std::string name = {};
  ProfileKind kind = ProfileKind::kSeccomp;
  std::optional<SeccompProfile> seccomp = {};             // set when kind is kSeccomp
  std::string app_armor = {};                             // policy text, when kind is kAppArmor
  std::map<std::string, std::string> node_selector = {};  // empty: every node
};

// Checks apiVersion (names::kApiVersion) and kind (names::kSecurityProfiles.kind), metadata.name
// (ValidateProfileName; names::kDefaultProfileName is reserved),
// spec.type, that exactly the body of that type is set, the body itself (ParseSeccompProfile,
// CheckAppArmorPolicy) and spec.nodeSelector. Status and unknown metadata are ignored.
Result<SecurityProfile> ParseSecurityProfile(const nlohmann::json& object);

// The file a node gets: the seccomp body as OCI JSON, or the AppArmor text (with a final
// newline added if it lacks one).
RenderedProfile RenderSecurityProfile(const SecurityProfile& profile);

// Whether a node with `node_labels` is selected (every nodeSelector entry equal).
bool SelectsNode(const SecurityProfile& profile,
                 const std::map<std::string, std::string>& node_labels);

}  // namespace csp::profiles
