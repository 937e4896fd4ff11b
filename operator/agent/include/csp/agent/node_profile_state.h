// The state of one profile on one node, as the agents report it: in each SecurityProfile's
// status.nodeStatus and in the node's ClusterPolicyReport csp-node-profiles-<node>.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "csp/agent/profile_installer.h"

namespace csp::agent {

enum class NodeProfileState {
  kInstalled,    // the node holds the current version (AppArmor: loaded in the kernel too)
  kPending,      // not (yet) installed for the object's current generation
  kFailed,       // refused (invalid) or could not be installed; the message says why
  kUnsupported,  // an AppArmor profile on a node without AppArmor
};

// "Installed", "Pending", "Failed", "Unsupported": the CRD's enum and the report's property.
std::string_view NodeProfileStateName(NodeProfileState state);
std::span<const std::string_view> NodeProfileStateNames();
std::optional<NodeProfileState> ParseNodeProfileState(std::string_view name);

// The PolicyReport result of a state: pass, warn (Pending), fail, skip (Unsupported).
std::string_view ReportResultOf(NodeProfileState state);

// Installed and Unchanged both mean the node holds the profile.
NodeProfileState NodeStateOf(InstallState state);

// Status and report messages are bounded: a parser's output could be long, and every agent's
// messages share one object. They are JSON strings, so they must be UTF-8 too, and a parser's
// output cut at a byte limit may not be: replaces each invalid byte sequence with U+FFFD, then
// cuts at a character boundary and marks the cut.
inline constexpr std::size_t kMaxStatusMessageBytes = 1024;
std::string TruncateMessage(std::string_view message,
                            std::size_t max_bytes = kMaxStatusMessageBytes);

}  // namespace csp::agent
