// -o json / -o yaml: the reports the operator would write, as a v1 List: each report in each
// API of ScanOptions::report_apis (PolicyReport, then Report with --report-api both).
#include <map>
#include <ostream>
#include <sstream>

#include "csp/manifest/ordered_work.h"
#include "csp/report/policy_report.h"
#include "csp/scan/scan.h"
#include "csp/scan/yaml_writer.h"

namespace csp::scan {
namespace {

using json = nlohmann::json;

// The workloads of one (policy, namespace): the reports of one.
struct ReportGroup {
  std::size_t policy = 0;
  std::string_view ns = {};
  std::vector<const ScannedWorkload*> workloads = {};
};

// Groups ahead of the one being written: enough to keep the workers busy while one namespace's
// text (about 1 MB in the benchmark corpus) is written, few enough to bound memory.
constexpr std::size_t kGroupsAhead = 8;

// About what one result takes as indented JSON (568 B in the benchmark corpus, with a message
// and its resource): the report's text is reserved at once instead of copied as it doubles.
constexpr std::size_t kJsonBytesPerResult = 640;

}  // namespace

// The reports are written as they are built, a few (policy, namespace) groups at a time, never
// all held together: the output of a large scan is several times the size of its input. Groups
// are built and serialized on worker threads and written in order, so the bytes are those of
// the whole List printed at once (json.dump(2) for -o json, WriteYaml for -o yaml).
void WriteReports(const ScanResult& result, const ScanOptions& options, std::ostream& out) {
  const bool yaml = options.format == Format::kYaml;
  const report::Timestamp ts{.seconds = options.now.time_since_epoch().count(), .nanos = 0};
  std::vector<ReportGroup> groups;
  for (std::size_t p = 0; p < result.policies.size(); ++p) {
    std::map<std::string_view, std::vector<const ScannedWorkload*>> by_namespace;
    for (const ScannedWorkload& w : result.workloads) {
      if (w.results[p]) by_namespace[w.ref.ns].push_back(&w);
    }
    for (auto& [ns, workloads] : by_namespace) {
      groups.push_back({.policy = p, .ns = ns, .workloads = std::move(workloads)});
    }
  }
  // One item of the List per report and API: its text, without the separator before it.
  auto serialize = [&](std::size_t g) {
    const ReportGroup& group = groups[g];
    std::vector<report::Entry> entries;
    for (const ScannedWorkload* w : group.workloads) {
      for (const policy::RuleResult& r : *w->results[group.policy])
        entries.push_back(report::MakeEntry(w->ref, r, ts));
    }
    std::vector<std::string> items;
    for (const report::PolicyReport& r : report::BuildPolicyReports(
             result.policies[group.policy].name, group.ns, std::move(entries))) {
      for (names::ReportApi api : options.report_apis) {
        std::string& text = items.emplace_back();
        if (yaml) {
          std::ostringstream item;
          WriteYaml(json::array({report::ToJson(r, api)}), item);
          text = std::move(item).str();
        } else {
          text.reserve(r.results.size() * kJsonBytesPerResult);  // no copies as it grows
          report::AppendJson(r, api, 2, 2, text);
        }
      }
    }
    return items;
  };
  std::size_t written = 0;
  auto write = [&](std::size_t, std::vector<std::string>&& items) {
    for (const std::string& item : items) {
      if (yaml) {
        if (written == 0) out << "apiVersion: v1\nitems:\n";
      } else {
        out << (written == 0 ? "{\n  \"apiVersion\": \"v1\",\n  \"items\": [\n    " : ",\n    ");
      }
      out << item;
      ++written;
    }
    return true;
  };
  manifest::ProduceInOrder<std::vector<std::string>>(groups.size(), manifest::WorkerThreads(),
                                                     kGroupsAhead, serialize, write);
  if (yaml) {
    out << (written == 0 ? "apiVersion: v1\nitems: []\n" : "") << "kind: List\nmetadata: {}\n";
  } else {
    out << (written == 0 ? "{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n" : "\n  ],\n")
        << "  \"kind\": \"List\",\n  \"metadata\": {}\n}\n";
  }
}

}  // namespace csp::scan
