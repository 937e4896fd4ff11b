// A SecurityProfile's status, written by many agents at once. Each agent owns exactly one entry
// of status.nodeStatus (its node's) and recomputes the derived fields (status.nodes counts, the
// Ready condition, observedGeneration) from the whole list it read, so that whichever agent
// writes last leaves a status consistent with every entry (the write is conditional on the
// resourceVersion it read: see status_writer.h).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csp/agent/node_profile_state.h"

namespace csp::agent {

// One element of status.nodeStatus.
struct NodeStatusEntry {
  std::string node = {};
  NodeProfileState state = NodeProfileState::kPending;
  std::string message = {};
  std::int64_t observed_generation = 0;  // the object's generation the agent acted on

  friend bool operator==(const NodeStatusEntry&, const NodeStatusEntry&) = default;
};

// status.nodes: counts over the nodes whose agents report the profile selects them.
struct NodeCounts {
  int selected = 0;
  int installed = 0;
  int pending = 0;  // state Pending, or an entry for an older generation than `generation`
  int failed = 0;
  int unsupported = 0;

  friend bool operator==(const NodeCounts&, const NodeCounts&) = default;
};

// The entries of `status` (the status object, may be null), sorted by node. Entries without a
// node name or with an unknown state are skipped: another writer's mistake must not stop ours.
std::vector<NodeStatusEntry> ParseNodeStatus(const nlohmann::json& status);

// The entry of `node`, if `status` has one.
std::optional<NodeStatusEntry> FindNodeStatus(const nlohmann::json& status, std::string_view node);

NodeCounts CountNodes(const std::vector<NodeStatusEntry>& entries, std::int64_t generation);

// `object` (a whole SecurityProfile as read from the API server) with node `node`'s entry set to
// `mine`, or removed when `mine` is nullopt, and the derived fields recomputed:
// status.observedGeneration and each condition's observedGeneration = metadata.generation;
// status.nodes from CountNodes; the Ready condition (other condition types are kept). Ready's
// lastTransitionTime is `now` (RFC 3339) only when its status changes. Everything else in the
// object is left alone. Deterministic: merging the same input twice gives equal objects, so a
// caller writes only when the result differs from `object`.
nlohmann::json MergeProfileStatus(const nlohmann::json& object, std::string_view node,
                                  const std::optional<NodeStatusEntry>& mine, std::string_view now);

}  // namespace csp::agent
