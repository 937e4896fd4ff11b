// Results -> wgpolicyk8s.io/v1alpha2 PolicyReports (api.md "Reports"). Pure: shared by the
// operator and `cspctl scan`, so both write exactly the same objects.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/policy/engine.h"

namespace csp::report {

inline constexpr std::size_t kMaxReportBytes = 500 * 1024;
inline constexpr std::string_view kSource = "containersecurity";
inline constexpr std::string_view kManagedByLabel = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedBy = "csp-operator";
inline constexpr std::string_view kPolicyLabel = "containersecurity.dev/policy";

struct Timestamp {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
  bool operator==(const Timestamp&) const = default;
};

// One result of one workload, ready for a report.
struct Entry {
  policy::WorkloadRef resource = {};
  std::string rule = {};
  policy::Outcome outcome = policy::Outcome::kPass;
  std::string severity = {};
  std::string message = {};
  std::map<std::string, std::string> properties = {};  // string-valued, per the CRD
  Timestamp timestamp = {};
};

// The entry for one engine result: failing containers and the exemption go to properties.
Entry MakeEntry(const policy::WorkloadRef& resource, const policy::RuleResult& result,
                Timestamp timestamp);

// The report result object of one entry.
nlohmann::json ResultJson(const Entry& entry, std::string_view policy);

// "csp-<policy>", or "csp-<policy>-<n>" (1-based) when the report is split.
std::string ReportName(std::string_view policy, std::size_t part, std::size_t parts);

// The PolicyReports of one (namespace, policy): results sorted by (kind, name, rule), with
// their summary, split so that no report's results pass `max_bytes` (a workload's results
// stay in one report). No entries: no report.
std::vector<nlohmann::json> BuildPolicyReports(std::string_view policy, std::string_view ns,
                                               std::vector<Entry> entries,
                                               std::size_t max_bytes = kMaxReportBytes);

}  // namespace csp::report
