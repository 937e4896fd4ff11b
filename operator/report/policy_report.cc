#include "csp/report/policy_report.h"

#include <algorithm>
#include <tuple>

namespace csp::report {

using json = nlohmann::json;

Entry MakeEntry(const policy::WorkloadRef& resource, const policy::RuleResult& result,
                Timestamp timestamp) {
  Entry e{.resource = resource,
          .rule = std::string(result.rule),
          .outcome = result.outcome,
          .severity = result.severity,
          .message = result.message,
          .timestamp = timestamp};
  if (!result.containers.empty()) {
    // A container is named once, even when several of its fields fail.
    std::vector<std::string_view> seen;
    std::string joined;
    for (const std::string& c : result.containers) {
      if (std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
      seen.push_back(c);
      joined += (joined.empty() ? "" : ",") + c;
    }
    e.properties["containers"] = std::move(joined);
  }
  if (result.exemption) e.properties["exemption"] = "spec.exemptions[" + std::to_string(*result.exemption) + "]";
  return e;
}

json ResultJson(const Entry& e, std::string_view policy) {
  json r = {{"source", kSource},
            {"policy", policy},
            {"rule", e.rule},
            {"result", policy::OutcomeName(e.outcome)},
            {"severity", e.severity},
            {"category", policy::kCategory},
            {"timestamp", {{"seconds", e.timestamp.seconds}, {"nanos", e.timestamp.nanos}}}};
  if (!e.message.empty()) r["message"] = e.message;
  json res = {{"apiVersion", e.resource.api_version},
              {"kind", e.resource.kind},
              {"namespace", e.resource.ns},
              {"name", e.resource.name}};
  if (!e.resource.uid.empty()) res["uid"] = e.resource.uid;
  r["resources"] = json::array({std::move(res)});
  if (!e.properties.empty()) r["properties"] = e.properties;
  return r;
}

std::string ReportName(std::string_view policy, std::size_t part, std::size_t parts) {
  std::string name = "csp-" + std::string(policy);
  if (parts > 1) name += "-" + std::to_string(part);
  return name;
}

namespace {

json NewReport(std::string_view policy, std::string_view ns) {
  return {{"apiVersion", "wgpolicyk8s.io/v1alpha2"},
          {"kind", "PolicyReport"},
          {"metadata",
           {{"namespace", ns},
            {"labels", {{kManagedByLabel, kManagedBy}, {kPolicyLabel, policy}}}}},
          {"summary", {{"pass", 0}, {"fail", 0}, {"warn", 0}, {"error", 0}, {"skip", 0}}},
          {"results", json::array()}};
}

}  // namespace

std::vector<json> BuildPolicyReports(std::string_view policy, std::string_view ns,
                                     std::vector<Entry> entries, std::size_t max_bytes) {
  std::vector<json> reports;
  if (entries.empty()) return reports;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.resource.kind, a.resource.name, a.rule) <
           std::tie(b.resource.kind, b.resource.name, b.rule);
  });
  json current = NewReport(policy, ns);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < entries.size();) {
    // The results of one workload go together.
    std::size_t end = i;
    std::vector<json> group;
    std::size_t group_bytes = 0;
    while (end < entries.size() && entries[end].resource.kind == entries[i].resource.kind &&
           entries[end].resource.name == entries[i].resource.name) {
      group.push_back(ResultJson(entries[end], policy));
      group_bytes += group.back().dump().size() + 1;
      ++end;
    }
    if (bytes > 0 && bytes + group_bytes > max_bytes) {
      reports.push_back(std::move(current));
      current = NewReport(policy, ns);
      bytes = 0;
    }
    for (std::size_t k = 0; k < group.size(); ++k) {
      json& count = current["summary"][std::string(policy::OutcomeName(entries[i + k].outcome))];
      count = count.get<int>() + 1;
      current["results"].push_back(std::move(group[k]));
    }
    bytes += group_bytes;
    i = end;
  }
  reports.push_back(std::move(current));
  for (std::size_t k = 0; k < reports.size(); ++k) {
    reports[k]["metadata"]["name"] = ReportName(policy, k + 1, reports.size());
  }
  return reports;
}

}  // namespace csp::report
