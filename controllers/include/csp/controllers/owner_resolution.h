// Which top-level workload a cached object is reported on (controls.md "Inputs", api.md
// "Reports"): Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob, a controller reference to
// a StatefulSet/DaemonSet/ReplicationController, a bare Pod on its own. Pure: the caller passes a
// lookup into its caches.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "csp/policy/workload.h"

namespace csp::controllers {

// One metadata.ownerReferences entry.
struct OwnerReference {
  std::string api_version = {};
  std::string kind = {};
  std::string name = {};
  std::string uid = {};
};

// The `controller: true` entry of the object's metadata.ownerReferences; other entries never
// make an owner. Malformed entries are ignored.
std::optional<OwnerReference> ControllerRef(const nlohmann::json& object);

// The cached object (whole or compact, with its metadata) that `owner` names in namespace `ns`,
// or null when the cache does not hold it.
using OwnerLookup =
    std::function<const nlohmann::json*(const OwnerReference& owner, std::string_view ns)>;

struct Resolution {
  policy::WorkloadRef top = {};  // the workload the results are reported on
  bool is_self = true;           // `top` is the object itself: evaluate and report it
  // A controller owner of a workload kind is not in the cache (not synced yet, or being
  // deleted): `top` is that owner, known by its reference only. The object is not reported on
  // its own; the owner gets its results when it reaches the cache.
  bool owner_missing = false;
};

// Follows controller references upwards while the owner is a workload kind (policy::
// IsWorkloadKind) found in the cache under the same uid. The chain stops at an object without a
// controller reference, or whose controller is not a workload kind (e.g. a custom resource):
// that object is the top. A reference cycle stops before the first object seen twice.
Resolution ResolveOwner(const nlohmann::json& object, const OwnerLookup& lookup);

}  // namespace csp::controllers
