// -o json / -o yaml: the reports the operator would write, as a v1 List: each report in each
// API of ScanOptions::report_apis (PolicyReport, then Report with --report-api both).
#include <map>
#include <ostream>

#include "csp/report/policy_report.h"
#include "csp/scan/scan.h"
#include "csp/scan/yaml_writer.h"

namespace csp::scan {

// The reports are written one at a time as they are built, never held together: the output of
// a large scan is several times the size of its input. The bytes are those of the whole List
// printed at once (json.dump(2) for -o json, WriteYaml for -o yaml).
void WriteReports(const ScanResult& result, const ScanOptions& options, std::ostream& out) {
  using json = nlohmann::json;
  const bool yaml = options.format == Format::kYaml;
  const report::Timestamp ts{.seconds = options.now.time_since_epoch().count(), .nanos = 0};
  std::size_t written = 0;
  std::string text;
  auto write = [&](const report::PolicyReport& report) {
    for (names::ReportApi api : options.report_apis) {
      if (yaml) {
        if (written == 0) out << "apiVersion: v1\nitems:\n";
        WriteYaml(json::array({report::ToJson(report, api)}), out);
      } else {
        text.assign(written == 0 ? "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    "
                                 : ",\n    ");
        report::AppendJson(report, api, 2, 2, text);
        out << text;
      }
      ++written;
    }
  };
  for (std::size_t p = 0; p < result.policies.size(); ++p) {
    // One namespace's entries at a time: all of them at once were half the scan's peak RSS.
    std::map<std::string_view, std::vector<const ScannedWorkload*>> by_namespace;
    for (const ScannedWorkload& w : result.workloads) {
      if (w.results[p]) by_namespace[w.ref.ns].push_back(&w);
    }
    for (const auto& [ns, workloads] : by_namespace) {
      std::vector<report::Entry> entries;
      for (const ScannedWorkload* w : workloads) {
        for (const policy::RuleResult& r : *w->results[p])
          entries.push_back(report::MakeEntry(w->ref, r, ts));
      }
      for (const report::PolicyReport& r :
           report::BuildPolicyReports(result.policies[p].name, ns, std::move(entries))) {
        write(r);
      }
    }
  }
  if (yaml) {
    out << (written == 0 ? "apiVersion: v1\nitems: []\n" : "") << "kind: List\nmetadata: {}\n";
  } else {
    out << (written == 0 ? "{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n" : "\n  ],\n")
        << "  \"kind\": \"List\",\n  \"metadata\": {}\n}\n";
  }
}

}  // namespace csp::scan
