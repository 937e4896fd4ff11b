// -o table: one row per failing result and one per compliant workload, then a summary line.
// Colour only when asked (the CLI asks when stdout is a terminal and NO_COLOR is unset).
#include <algorithm>
#include <array>
#include <map>
#include <ostream>

#include "csp/scan/scan.h"

namespace csp::scan {
namespace {

constexpr std::string_view kReset = "\033[0m";

std::string_view SeverityColor(std::string_view severity) {
  if (severity == "critical") return "\033[1;31m";
  if (severity == "high") return "\033[31m";
  if (severity == "medium") return "\033[33m";
  return "\033[36m";
}

using Row = std::array<std::string, 8>;

}  // namespace

void WriteTable(const ScanResult& result, const ScanOptions& options, std::ostream& out) {
  std::vector<Row> rows;
  std::size_t workloads = 0, compliant = 0, failing = 0, errored = 0;
  std::map<std::string, int> failed_by_severity;
  for (const ScannedWorkload& w : result.workloads) {
    bool matched = false, failed = false, error = false;
    std::string policies;
    for (std::size_t p = 0; p < result.policies.size(); ++p) {
      if (!w.results[p]) continue;
      matched = true;
      policies += (policies.empty() ? "" : ",") + result.policies[p].name;
      for (const policy::RuleResult& r : *w.results[p]) {
        if (r.outcome != policy::Outcome::kFail && r.outcome != policy::Outcome::kError) continue;
        failed |= r.outcome == policy::Outcome::kFail;
        error |= r.outcome == policy::Outcome::kError;
        if (r.outcome == policy::Outcome::kFail) ++failed_by_severity[r.severity];
        rows.push_back({w.ref.ns, w.ref.kind, DisplayName(w.ref), result.policies[p].name,
                        std::string(policy::OutcomeName(r.outcome)), std::string(r.rule),
                        r.severity, r.message});
      }
    }
    if (!matched) continue;
    ++workloads;
    if (failed) {
      ++failing;
    } else if (error) {
      ++errored;
    } else {
      ++compliant;
      rows.push_back(
          {w.ref.ns, w.ref.kind, DisplayName(w.ref), policies, "pass", "-", "-", "compliant"});
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a[0], a[1], a[2]) < std::tie(b[0], b[1], b[2]);
  });
  const Row header = {"NAMESPACE", "KIND", "NAME",     "POLICY",
                      "RESULT",    "RULE", "SEVERITY", "MESSAGE"};
  std::array<std::size_t, 8> width{};
  for (std::size_t c = 0; c < 7; ++c) {
    width[c] = header[c].size();
    for (const Row& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto print = [&](const Row& r, bool is_header) {
    for (std::size_t c = 0; c < 8; ++c) {
      bool colored =
          options.color && !is_header && ((c == 4 && r[4] != "pass") || (c == 6 && r[6] != "-"));
      std::string_view color =
          c == 4 ? (r[4] == "fail" ? "\033[1;31m" : "\033[35m") : SeverityColor(r[6]);
      if (options.color && !is_header && c == 4 && r[4] == "pass") {
        out << "\033[32m" << r[c] << kReset;
      } else if (colored) {
        out << color << r[c] << kReset;
      } else {
        out << r[c];
      }
      if (c < 7) out << std::string(width[c] - r[c].size() + 2, ' ');
    }
    out << '\n';
  };
  if (!rows.empty()) {
    print(header, true);
    for (const Row& r : rows) print(r, false);
    out << '\n';
  }
  out << workloads << (workloads == 1 ? " workload" : " workloads") << " scanned against "
      << result.policies.size() << (result.policies.size() == 1 ? " policy" : " policies") << ": "
      << compliant << " compliant, " << failing << " failing";
  if (errored > 0) out << ", " << errored << " with errors";
  int total = 0;
  for (const auto& [sev, n] : failed_by_severity) total += n;
  if (total > 0) {
    out << " (" << total << " failed " << (total == 1 ? "result" : "results") << ":";
    bool first = true;
    for (std::string_view sev : {"critical", "high", "medium", "low", "info"}) {
      auto it = failed_by_severity.find(std::string(sev));
      if (it == failed_by_severity.end()) continue;
      out << (first ? " " : ", ") << it->second << ' ' << sev;
      first = false;
    }
    out << ')';
  }
  out << '\n';
}

}  // namespace csp::scan
