#include "csp/controllers/node_profiles.h"

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include "csp/common/json_fields.h"
#include "csp/names/names.h"

namespace csp::controllers {

using json = nlohmann::json;

namespace {

const json* ObjectAt(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

bool IsKnownState(std::string_view state) {
  return std::ranges::find(names::kProfileStates, state) != names::kProfileStates.end();
}

// Adds one report result to `facts` when it says a profile is installed on a node.
void AddResult(const json& result, policy::NodeFacts& facts) {
  const json* props = ObjectAt(result, "properties");
  if (props == nullptr) return;
  const std::string_view rule = StringAt(result, "rule");
  const std::string_view node = StringAt(*props, "node");
  const std::string_view profile = StringAt(*props, "profile");
  const std::string_view type = StringAt(*props, "type");
  const std::string_view state = StringAt(*props, "state");
  if (node.empty() || profile.empty() || !IsKnownState(state)) return;
  std::map<std::string, std::set<std::string>, std::less<>>* installed = nullptr;
  if (rule == names::kSeccompProfileRule && type == names::kSeccompType) {
    installed = &facts.seccomp;
  } else if (rule == names::kAppArmorProfileRule && type == names::kAppArmorType) {
    installed = &facts.apparmor;
  } else {
    return;
  }
  if (StringAt(result, "result") != names::kResultPass || state != names::kStateInstalled) return;
  (*installed)[std::string(node)].emplace(profile);
}

// The node of each result of `report`.
void AddNodesOf(const json& report, std::set<std::string, std::less<>>& nodes) {
  auto results = report.find("results");
  if (results == report.end() || !results->is_array()) return;
  for (const json& r : *results) {
    const json* props = ObjectAt(r, "properties");
    if (props != nullptr && !StringAt(*props, "node").empty())
      nodes.emplace(StringAt(*props, "node"));
  }
}

bool IsLegacyReport(const json& report) {
  const json* meta = ObjectAt(report, "metadata");
  return meta != nullptr && StringAt(*meta, "name") == names::kNodeReportName;
}

}  // namespace

policy::NodeFacts NodeFactsFrom(std::span<const json> nodes,
                                std::span<const json* const> node_reports,
                                std::span<const json> security_profiles) {
  policy::NodeFacts facts;
  facts.nodes.reserve(nodes.size());
  for (const json& node : nodes) {
    const json* meta = ObjectAt(node, "metadata");
    if (meta == nullptr) continue;
    const std::string_view name = StringAt(*meta, "name");
    if (name.empty()) continue;
    auto labels = meta->find("labels");
    facts.nodes.push_back(
        {.name = std::string(name),
         .labels = policy::LabelsFromJson(labels != meta->end() ? &*labels : nullptr)});
  }
  std::set<std::string, std::less<>> reported;  // nodes with results outside the legacy report
  for (const json* report : node_reports) {
    if (report != nullptr && report->is_object() && !IsLegacyReport(*report)) {
      AddNodesOf(*report, reported);
    }
  }
  for (const json* report : node_reports) {
    if (report == nullptr || !report->is_object()) continue;
    auto results = report->find("results");
    if (results == report->end() || !results->is_array()) continue;
    const bool legacy = IsLegacyReport(*report);
    for (const json& r : *results) {
      const json* props = ObjectAt(r, "properties");
      if (legacy && props != nullptr && reported.contains(StringAt(*props, "node"))) continue;
      AddResult(r, facts);
    }
  }
  facts.managed_apparmor.emplace(names::kDefaultProfileName);
  for (const json& sp : security_profiles) {
    const json* meta = ObjectAt(sp, "metadata");
    const json* spec = ObjectAt(sp, "spec");
    if (meta == nullptr || spec == nullptr || StringAt(*spec, "type") != names::kAppArmorType) {
      continue;
    }
    const std::string_view name = StringAt(*meta, "name");
    if (!name.empty()) facts.managed_apparmor.emplace(name);
  }
  return facts;
}

}  // namespace csp::controllers
