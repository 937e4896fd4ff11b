#include "csp/agent/node_report.h"

#include <algorithm>
#include <tuple>

#include "csp/common/fnv1a.h"
#include "csp/common/json_fields.h"

namespace csp::agent {
namespace {

// The node a result belongs to: its properties.node.
std::string NodeOf(const nlohmann::json& result) {
  return result.is_object() && result.contains("properties")
             ? std::string(StringAt(result["properties"], "node"))
             : std::string();
}

auto SortKey(const nlohmann::json& result) {
  const nlohmann::json& properties =
      result.is_object() && result.contains("properties") ? result["properties"] : result;
  return std::make_tuple(std::string(StringAt(properties, "node")),
                         std::string(StringAt(result, "rule")),
                         std::string(StringAt(properties, "profile")));
}

constexpr std::size_t kMaxNameLength = 253;  // a DNS subdomain, as object names are
constexpr std::size_t kHashDigits = 8;

}  // namespace

std::string NodeReportName(std::string_view node) {
  const std::string prefix = std::string(names::kNodeReportName) + "-";
  if (prefix.size() + node.size() <= kMaxNameLength) return prefix + std::string(node);
  std::string_view cut = node.substr(0, kMaxNameLength - prefix.size() - 1 - kHashDigits);
  while (!cut.empty() && (cut.back() == '.' || cut.back() == '-')) cut.remove_suffix(1);
  static constexpr char kHex[] = "0123456789abcdef";
  const std::uint64_t hash = Fnv1a64(node);
  std::string suffix(kHashDigits, '0');
  for (std::size_t i = 0; i < kHashDigits; ++i) suffix[i] = kHex[(hash >> (60 - 4 * i)) & 0xF];
  return prefix + std::string(cut) + "-" + suffix;
}

std::string PodProfileReference(profiles::ProfileKind kind, std::string_view name) {
  if (kind == profiles::ProfileKind::kSeccomp)
    return std::string(names::kSeccompReferencePrefix) + std::string(name) + ".json";
  return std::string(name);
}

std::string_view NodeReportRule(profiles::ProfileKind kind) {
  return kind == profiles::ProfileKind::kSeccomp ? names::kSeccompProfileRule
                                                 : names::kAppArmorProfileRule;
}

nlohmann::json NodeReportResult(std::string_view node, const NodeProfileResult& result,
                                std::int64_t now_seconds) {
  return {
      {"source", std::string(names::kReportSource)},
      {"policy", std::string(names::kNodeReportName)},
      {"rule", std::string(NodeReportRule(result.kind))},
      {"result", std::string(ReportResultOf(result.state))},
      {"message", TruncateMessage(result.message)},
      {"timestamp", {{"seconds", now_seconds}, {"nanos", 0}}},
      {"resources", {{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", std::string(node)}}}},
      {"properties",
       {{"node", std::string(node)},
        {"profile", PodProfileReference(result.kind, result.name)},
        {"type", std::string(profiles::ProfileKindName(result.kind))},
        {"state", std::string(NodeProfileStateName(result.state))}}},
  };
}

nlohmann::json MergeNodeReport(const nlohmann::json& existing, std::string_view node,
                               const std::vector<NodeProfileResult>& results,
                               std::int64_t now_seconds, names::ReportApi api) {
  const names::ReportApiNames& kinds = names::NamesOf(api);
  nlohmann::json report = existing.is_object() ? existing : nlohmann::json::object();
  report["apiVersion"] = std::string(kinds.api_version);
  report["kind"] = std::string(kinds.cluster_reports.kind);
  if (kinds.report_source) report["source"] = std::string(names::kReportSource);
  if (!report.contains("metadata") || !report["metadata"].is_object()) {
    report["metadata"] = nlohmann::json::object();
  }
  nlohmann::json& metadata = report["metadata"];
  if (StringAt(metadata, "name").empty()) metadata["name"] = NodeReportName(node);
  if (!metadata.contains("labels") || !metadata["labels"].is_object()) {
    metadata["labels"] = nlohmann::json::object();
  }
  metadata["labels"][std::string(names::kManagedByLabel)] = std::string(names::kManagedByAgent);

  std::vector<nlohmann::json> merged;
  std::vector<nlohmann::json> previous;  // this node's results as they were
  if (report.contains("results") && report["results"].is_array()) {
    for (nlohmann::json& result : report["results"]) {
      (NodeOf(result) == node ? previous : merged).push_back(std::move(result));
    }
  }
  for (const NodeProfileResult& result : results) {
    nlohmann::json fresh = NodeReportResult(node, result, now_seconds);
    for (const nlohmann::json& old : previous) {
      if (!old.is_object() || !old.contains("timestamp")) continue;
      nlohmann::json same_time = fresh;
      same_time["timestamp"] = old["timestamp"];
      if (same_time == old) {
        fresh = std::move(same_time);
        break;
      }
    }
    merged.push_back(std::move(fresh));
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const auto& a, const auto& b) { return SortKey(a) < SortKey(b); });

  nlohmann::json summary = nlohmann::json::object();
  for (std::string_view outcome : {names::kResultPass, names::kResultFail, names::kResultWarn,
                                   names::kResultError, names::kResultSkip}) {
    summary[std::string(outcome)] = 0;
  }
  for (const nlohmann::json& result : merged) {
    const std::string outcome(StringAt(result, "result"));
    if (summary.contains(outcome)) summary[outcome] = summary[outcome].get<int>() + 1;
  }
  report["results"] = std::move(merged);
  report["summary"] = std::move(summary);
  return report;
}

}  // namespace csp::agent
