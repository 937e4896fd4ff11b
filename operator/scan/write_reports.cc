// -o json / -o yaml: the PolicyReports the operator would write, as a v1 List.
#include <map>
#include <ostream>

#include "csp/report/policy_report.h"
#include "csp/scan/scan.h"
#include "csp/scan/yaml_writer.h"

namespace csp::scan {

void WriteReports(const ScanResult& result, const ScanOptions& options, std::ostream& out) {
  using json = nlohmann::json;
  const report::Timestamp ts{.seconds = options.now.time_since_epoch().count(), .nanos = 0};
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"metadata", json::object()},
               {"items", json::array()}};
  for (std::size_t p = 0; p < result.policies.size(); ++p) {
    std::map<std::string, std::vector<report::Entry>> by_namespace;
    for (const ScannedWorkload& w : result.workloads) {
      if (!w.results[p]) continue;
      auto& entries = by_namespace[w.ref.ns];
      for (const policy::RuleResult& r : *w.results[p]) entries.push_back(report::MakeEntry(w.ref, r, ts));
    }
    for (auto& [ns, entries] : by_namespace) {
      for (json& r : report::BuildPolicyReports(result.policies[p].name, ns, std::move(entries))) {
        list["items"].push_back(std::move(r));
      }
    }
  }
  if (options.format == Format::kYaml) {
    WriteYaml(list, out);
  } else {
    out << list.dump(2) << '\n';
  }
}

}  // namespace csp::scan
