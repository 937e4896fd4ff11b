// A WorkloadKind's place in the cluster (api.md "WorkloadKind", Status): what API discovery
// says of the kind it declares, and the status the operator writes from that. Pure.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "csp/policy/workload_kind.h"

namespace csp::controllers {

// The API resource that serves a declared kind.
struct DiscoveredKind {
  std::string resource = {};  // the plural, "rollouts"
  bool namespaced = true;
  bool scale = false;  // it serves "<resource>/scale"
  bool operator==(const DiscoveredKind&) const = default;
};

// The resource of `resource_list` (an APIResourceList, GET /apis/<group>/<version>) serving
// `kind.kind`, named `kind.resource` when the declaration names one; nullopt when none does
// (the CRD is not installed, or serves another version).
std::optional<DiscoveredKind> FindInDiscovery(const nlohmann::json& resource_list,
                                              const policy::WorkloadKind& kind);

// Where a declared kind stands, as its Ready condition says.
enum class KindState {
  kWatching,      // True: served, listed and watched
  kListing,       // Unknown: served, the first list not in yet
  kNotInstalled,  // False: no such kind at group/version
  kInvalidSpec,   // False: the parser's message
  kForbidden,     // False: the operator may not list it (RBAC)
};

struct KindStatusInput {
  KindState state = KindState::kListing;
  std::string message = {};                       // why, for the False states
  std::optional<DiscoveredKind> discovered = {};  // resource and /scale, when served
  std::int64_t generation = 0;                    // metadata.generation
  const nlohmann::json* previous = nullptr;       // the current status, or null
  std::chrono::sys_seconds now = {};
};

// The status to write: observedGeneration, resource and scaleSubresource (when discovered),
// and the Ready condition, whose lastTransitionTime is kept while its status stays the same.
// Equal to `previous` when nothing changed, so that the caller writes only a difference.
nlohmann::json WorkloadKindStatus(const KindStatusInput& in);

}  // namespace csp::controllers
