#include "csp/agent/profile_status.h"

#include <algorithm>

#include "csp/common/json_fields.h"

namespace csp::agent {
namespace {

constexpr std::string_view kReady = "Ready";
// How many failing nodes a Ready=False message names before "and N more".
constexpr std::size_t kNodesNamedInMessage = 3;

std::int64_t IntegerAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

nlohmann::json EntryToJson(const NodeStatusEntry& entry) {
  nlohmann::json out = {{"node", entry.node},
                        {"state", std::string(NodeProfileStateName(entry.state))},
                        {"observedGeneration", entry.observed_generation}};
  if (!entry.message.empty()) out["message"] = TruncateMessage(entry.message);
  return out;
}

struct ReadyCondition {
  std::string status;
  std::string reason;
  std::string message;
};

// Lists nodes "a, b, c and 2 more" with the message of the first.
std::string NameNodes(const std::vector<const NodeStatusEntry*>& entries) {
  std::string out;
  for (std::size_t i = 0; i < entries.size() && i < kNodesNamedInMessage; ++i) {
    if (i > 0) out += ", ";
    out += entries[i]->node;
  }
  if (entries.size() > kNodesNamedInMessage) {
    out += " and " + std::to_string(entries.size() - kNodesNamedInMessage) + " more";
  }
  if (!entries.empty() && !entries.front()->message.empty()) {
    out += " (" + entries.front()->node + ": " + entries.front()->message + ")";
  }
  return out;
}

ReadyCondition Ready(const std::vector<NodeStatusEntry>& entries, std::int64_t generation) {
  const NodeCounts counts = CountNodes(entries, generation);
  const std::string of = " of " + std::to_string(counts.selected) + " selected nodes";
  if (counts.selected == 0) {
    return {"False", "NoNodeSelected", "no node agent reports that the profile selects its node"};
  }
  if (counts.failed > 0) {
    std::vector<const NodeStatusEntry*> failed;
    for (const NodeStatusEntry& e : entries) {
      if (e.state == NodeProfileState::kFailed && e.observed_generation == generation) {
        failed.push_back(&e);
      }
    }
    return {"False", "InstallFailed",
            TruncateMessage("failed on " + std::to_string(counts.failed) + of + ": " +
                            NameNodes(failed))};
  }
  if (counts.pending > 0) {
    return {"False", "Pending", "not yet installed on " + std::to_string(counts.pending) + of};
  }
  if (counts.installed == 0) {
    return {"False", "Unsupported",
            "none of the " + std::to_string(counts.selected) +
                " selected nodes supports the profile type (no AppArmor on the node)"};
  }
  std::string message = "installed on " + std::to_string(counts.installed) + of;
  if (counts.unsupported > 0) {
    message += "; " + std::to_string(counts.unsupported) + " without AppArmor";
  }
  return {"True", "Installed", message};
}

}  // namespace

std::vector<NodeStatusEntry> ParseNodeStatus(const nlohmann::json& status) {
  std::vector<NodeStatusEntry> entries;
  if (!status.is_object()) return entries;
  auto list = status.find("nodeStatus");
  if (list == status.end() || !list->is_array()) return entries;
  for (const nlohmann::json& item : *list) {
    NodeStatusEntry entry{.node = std::string(StringAt(item, "node"))};
    std::optional<NodeProfileState> state = ParseNodeProfileState(StringAt(item, "state"));
    if (entry.node.empty() || !state) continue;
    entry.state = *state;
    entry.message = std::string(StringAt(item, "message"));
    entry.observed_generation = IntegerAt(item, "observedGeneration");
    entries.push_back(std::move(entry));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.node < b.node; });
  // A list-map keyed by node has unique keys; keep the first if a writer broke that.
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const auto& a, const auto& b) { return a.node == b.node; }),
                entries.end());
  return entries;
}

std::optional<NodeStatusEntry> FindNodeStatus(const nlohmann::json& status, std::string_view node) {
  for (NodeStatusEntry& entry : ParseNodeStatus(status)) {
    if (entry.node == node) return std::move(entry);
  }
  return std::nullopt;
}

NodeCounts CountNodes(const std::vector<NodeStatusEntry>& entries, std::int64_t generation) {
  NodeCounts counts;
  for (const NodeStatusEntry& entry : entries) {
    ++counts.selected;
    if (entry.observed_generation != generation || entry.state == NodeProfileState::kPending) {
      ++counts.pending;
    } else if (entry.state == NodeProfileState::kInstalled) {
      ++counts.installed;
    } else if (entry.state == NodeProfileState::kFailed) {
      ++counts.failed;
    } else {
      ++counts.unsupported;
    }
  }
  return counts;
}

nlohmann::json MergeProfileStatus(const nlohmann::json& object, std::string_view node,
                                  const std::optional<NodeStatusEntry>& mine,
                                  std::string_view now) {
  nlohmann::json out = object;
  const std::int64_t generation =
      object.contains("metadata") ? IntegerAt(object["metadata"], "generation") : 0;
  nlohmann::json status = object.contains("status") && object["status"].is_object()
                              ? object["status"]
                              : nlohmann::json::object();

  std::vector<NodeStatusEntry> entries = ParseNodeStatus(status);
  std::erase_if(entries, [&](const NodeStatusEntry& e) { return e.node == node; });
  if (mine) {
    NodeStatusEntry entry = *mine;
    entry.node = std::string(node);
    entry.message = TruncateMessage(entry.message);
    entries.insert(std::upper_bound(entries.begin(), entries.end(), entry,
                                    [](const auto& a, const auto& b) { return a.node < b.node; }),
                   std::move(entry));
  }

  nlohmann::json list = nlohmann::json::array();
  for (const NodeStatusEntry& entry : entries) list.push_back(EntryToJson(entry));
  if (list.empty()) {
    status.erase("nodeStatus");
  } else {
    status["nodeStatus"] = std::move(list);
  }

  const NodeCounts counts = CountNodes(entries, generation);
  status["nodes"] = {{"selected", counts.selected},
                     {"installed", counts.installed},
                     {"pending", counts.pending},
                     {"failed", counts.failed},
                     {"unsupported", counts.unsupported}};
  status["observedGeneration"] = generation;

  const ReadyCondition ready = Ready(entries, generation);
  nlohmann::json conditions = nlohmann::json::array();
  std::string transition(now);
  if (status.contains("conditions") && status["conditions"].is_array()) {
    for (const nlohmann::json& condition : status["conditions"]) {
      if (StringAt(condition, "type") == kReady) {
        if (StringAt(condition, "status") == ready.status &&
            !StringAt(condition, "lastTransitionTime").empty()) {
          transition = StringAt(condition, "lastTransitionTime");
        }
        continue;
      }
      conditions.push_back(condition);
    }
  }
  conditions.push_back({{"type", std::string(kReady)},
                        {"status", ready.status},
                        {"reason", ready.reason},
                        {"message", ready.message},
                        {"observedGeneration", generation},
                        {"lastTransitionTime", transition}});
  std::stable_sort(conditions.begin(), conditions.end(),
                   [](const nlohmann::json& a, const nlohmann::json& b) {
                     return StringAt(a, "type") < StringAt(b, "type");
                   });
  status["conditions"] = std::move(conditions);
  out["status"] = std::move(status);
  return out;
}

}  // namespace csp::agent
