// Who owns a field, from metadata.managedFields (server-side apply's field ownership): names the
// field manager that put back a remediation (docs/remediation.md "Revert detection"). The
// informer cache drops managedFields (CompactWorkload), so the caller reads them from a GET of
// the workload when a revert is seen, which is rare. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csp::controllers {

// The field manager csp-operator writes workloads and NetworkPolicies as.
inline constexpr std::string_view kOperatorFieldManager = "csp-operator";

// The manager other than `self` that owns the field at `path` (keys, e.g. {"spec", "replicas"})
// in object.metadata.managedFields; nullopt when none does (or the object has no managedFields).
// Of several, the one whose entry is the most recent (RFC 3339 times compare as text).
std::optional<std::string> OtherOwnerOf(const nlohmann::json& object,
                                        const std::vector<std::string>& path,
                                        std::string_view self = kOperatorFieldManager);

}  // namespace csp::controllers
