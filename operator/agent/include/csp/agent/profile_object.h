// What an agent keeps of each SecurityProfile (the Informer's compact value): enough to decide
// whether the profile selects this node, what to install, and whether this node's status entry
// is already right, without keeping whole objects (other nodes' status entries, managed fields).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "csp/agent/profile_status.h"
#include "csp/profiles/profile_kind.h"

namespace csp::agent {

// The parsed spec, shared between the cached values of one object generation.
struct ParsedProfile {
  std::optional<profiles::ProfileKind> kind = {};  // from spec.type, when it names one
  std::map<std::string, std::string> node_selector = {};
  std::shared_ptr<const profiles::RenderedProfile> rendered =
      {};                  // null when the object was refused
  std::string error = {};  // why it was refused
};

struct ProfileObject {
  std::string name = {};
  std::string uid = {};
  std::int64_t generation = 0;
  std::shared_ptr<const ParsedProfile> parsed = {};  // never null
  std::optional<NodeStatusEntry> own_status = {};    // this node's entry in status.nodeStatus
};

// Whether the object's nodeSelector picks a node with `node_labels`. An object whose
// nodeSelector could not be read selects every node, so that its error shows everywhere.
bool SelectsNode(const ProfileObject& object,
                 const std::map<std::string, std::string>& node_labels);

// Parses the spec (ParseSecurityProfile, RenderSecurityProfile). A refused object keeps the
// error and, as far as they can be read, its type and nodeSelector.
ParsedProfile ParseProfileSpec(const nlohmann::json& object);

// The Informer transform for agent `node`. Status updates (every agent writes them) change an
// object far more often than its spec, so the parsed spec is reused while (uid, generation)
// stay the same. Called from the informer's thread; Forget from a delete handler.
class ProfileObjectTransform {
 public:
  explicit ProfileObjectTransform(std::string node) : node_(std::move(node)) {}

  ProfileObject operator()(const nlohmann::json& object);
  void Forget(std::string_view name);

 private:
  struct CachedSpec {
    std::string uid;
    std::int64_t generation = 0;
    std::shared_ptr<const ParsedProfile> parsed;
  };

  std::string node_;
  std::mutex mu_;
  std::map<std::string, CachedSpec, std::less<>> cache_;  // by object name
};

}  // namespace csp::agent
