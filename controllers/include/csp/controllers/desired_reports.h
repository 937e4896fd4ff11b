// The PolicyReports the cluster should hold (api.md "Reports"), and the writes that get it
// there. Pure: the caller passes the evaluated entries, the existing reports and the time.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "csp/controllers/remediation_plan.h"
#include "csp/report/policy_report.h"

namespace csp::controllers {

// Identifies one result across passes.
struct ResultKey {
  std::string ns = {};
  std::string policy = {};
  std::string kind = {};
  std::string name = {};
  std::string rule = {};
  auto operator<=>(const ResultKey&) const = default;
};

// What a previous pass reported for a ResultKey: the content that decides whether the result
// changed, and when it last did.
struct PreviousResult {
  std::string uid = {};
  std::string result = {};  // "pass", "fail", ...
  std::string message = {};
  std::map<std::string, std::string> properties = {};
  report::Timestamp timestamp = {};
};
using PreviousResults = std::map<ResultKey, PreviousResult>;

// Adds the results of one existing PolicyReport object to `out`. Only reports labeled
// managed-by csp-operator are read; malformed results are skipped.
void IndexReportResults(const nlohmann::json& report, PreviousResults& out);

// Sets each entry's timestamp: the previous one when the result (uid, outcome, message,
// properties) did not change, else `now` ("the evaluation that last changed it").
void StampTimestamps(std::vector<PolicyEntry>& entries, const PreviousResults& previous,
                     report::Timestamp now);

// Every desired report: entries grouped per (namespace, policy), stamped, then built by
// report::BuildPolicyReports (sorted, summarised, split). Sorted by (namespace, name).
std::vector<report::PolicyReport> DesiredReports(std::vector<PolicyEntry> entries,
                                                 const PreviousResults& previous,
                                                 report::Timestamp now,
                                                 std::size_t max_bytes = report::kMaxReportBytes);

// An existing report as the cache keeps it: identity, ownership and a digest of its content.
struct ExistingReport {
  std::string ns = {};
  std::string name = {};
  std::string resource_version = {};
  bool managed = false;  // labeled app.kubernetes.io/managed-by: csp-operator
  std::uint64_t digest = 0;
};

// A digest (FNV-1a 64 of compact JSON) of what we own in a report: our two labels, summary,
// results. Equal for ToJson(r) and for that object as read back from the API server.
std::uint64_t ContentDigest(const nlohmann::json& report);

// The informer Transform for PolicyReports. Never throws.
ExistingReport SummarizeReport(const nlohmann::json& report);

struct ObjectName {
  std::string ns = {};
  std::string name = {};
  auto operator<=>(const ObjectName&) const = default;
};

struct ReportWrites {
  std::vector<nlohmann::json> creates = {};
  std::vector<nlohmann::json> updates = {};  // carry metadata.resourceVersion of the cached one
  std::vector<ObjectName> deletes = {};
  // Desired reports whose name a report not managed by us holds: never touched, not written.
  std::vector<ObjectName> blocked = {};
};

// The writes that turn `existing` into `desired`: a create for a missing report (also one that
// someone deleted), an update when the content digest differs (also after someone else's
// edit), a delete for every managed report not desired (its policy was deleted, or its
// namespace has no results left). Reports not labeled managed-by csp-operator are never
// written or deleted. `existing` is the scope: pass every cached report for a full pass, or
// only one policy's for a per-policy pass.
ReportWrites DiffReports(std::span<const report::PolicyReport> desired,
                         std::span<const ExistingReport> existing);

}  // namespace csp::controllers
