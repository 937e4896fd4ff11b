// -o sarif: SARIF 2.1.0, one result per failing (workload, rule), located at the workload's
// file and line, for code-scanning UIs.
#include <ostream>

#include "csp/policy/control.h"
#include "csp/scan/scan.h"
#include "csp/version.h"

namespace csp::scan {
namespace {

using json = nlohmann::json;

std::string_view Level(std::string_view severity) {
  if (severity == "critical" || severity == "high") return "error";
  if (severity == "medium") return "warning";
  return "note";
}

// GitHub code scanning ranks results by this CVSS-like score.
std::string_view SecuritySeverity(std::string_view severity) {
  if (severity == "critical") return "9.5";
  if (severity == "high") return "8.0";
  if (severity == "medium") return "5.5";
  if (severity == "low") return "3.0";
  return "0.0";
}

}  // namespace

void WriteSarif(const ScanResult& result, const ScanOptions&, std::ostream& out) {
  json rules = json::array();
  auto controls = policy::AllControls();
  for (const policy::Control& c : controls) {
    rules.push_back({{"id", c.id},
                     {"name", c.id},
                     {"shortDescription", {{"text", c.summary}}},
                     {"defaultConfiguration", {{"level", Level(c.severity)}}},
                     {"properties",
                      {{"tags", {"security", "kubernetes"}},
                       {"security-severity", SecuritySeverity(c.severity)}}}});
  }
  json results = json::array();
  for (const ScannedWorkload& w : result.workloads) {
    for (std::size_t p = 0; p < result.policies.size(); ++p) {
      if (!w.results[p]) continue;
      for (const policy::RuleResult& r : *w.results[p]) {
        if (r.outcome != policy::Outcome::kFail) continue;
        std::size_t index = 0;
        while (index < controls.size() && controls[index].id != r.rule) ++index;
        const std::string where = w.ref.ns + "/" + w.ref.kind + "/" + DisplayName(w.ref);
        results.push_back(
            {{"ruleId", r.rule},
             {"ruleIndex", index},
             {"level", Level(r.severity)},
             {"message",
              {{"text", w.ref.kind + " \"" + DisplayName(w.ref) + "\" in namespace \"" + w.ref.ns +
                            "\": " + r.message}}},
             {"locations",
              {{{"physicalLocation",
                 {{"artifactLocation", {{"uri", w.file == "<stdin>" ? "stdin" : w.file}}},
                  {"region", {{"startLine", w.line > 0 ? w.line : 1}}}}},
                {"logicalLocations", {{{"fullyQualifiedName", where}, {"kind", "resource"}}}}}}},
             {"properties", {{"policy", result.policies[p].name}, {"severity", r.severity}}}});
      }
    }
  }
  json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs",
                 {{{"tool",
                    {{"driver",
                      {{"name", "cspctl"},
                       {"version", kVersion},
                       {"informationUri", "https://github.com/csp-operator/csp-operator"},
                       {"rules", std::move(rules)}}}}},
                   {"results", std::move(results)}}}}};
  out << sarif.dump(2) << '\n';
}

}  // namespace csp::scan
