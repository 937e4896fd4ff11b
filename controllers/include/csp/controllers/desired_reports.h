// The PolicyReports the cluster should hold (api.md "Reports"), and the writes that get it
// there. Pure: the caller passes the evaluated entries, the existing reports and the time.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csp/controllers/remediation_plan.h"
#include "csp/report/policy_report.h"

namespace csp::controllers {

// Identifies one result across passes: a digest (FNV-1a 64) of its namespace, policy, kind,
// name and rule. Digests, not the strings: the operator keeps one of these for every result in
// the cluster (16,000 for 2,000 workloads), and the strings cost ~340 B a result.
struct ResultKey {
  std::uint64_t digest = 0;
  auto operator<=>(const ResultKey&) const = default;
};
ResultKey MakeResultKey(std::string_view ns, std::string_view policy, std::string_view kind,
                        std::string_view name, std::string_view rule);

// What a previous pass reported for a ResultKey: a digest of the content that decides whether
// the result changed (resource uid, result, message, string properties), and when it last did.
struct PreviousResult {
  std::uint64_t content = 0;
  report::Timestamp timestamp = {};
};
// The digest PreviousResult::content holds for that content.
std::uint64_t ResultContentDigest(std::string_view uid, std::string_view result,
                                  std::string_view message,
                                  const std::map<std::string, std::string>& properties);
// Previous results sorted by key, one entry per key: a flat map of 32 B a result (a std::map
// node took 80), as the operator keeps the ~17 results of every workload of the cluster.
using PreviousResults = std::vector<std::pair<ResultKey, PreviousResult>>;

// Adds the results of one existing PolicyReport object to `out`, which stays sorted with one
// entry per key (a key already there takes the new value). Only reports labeled managed-by
// csp-operator are read; malformed results are skipped.
void IndexReportResults(const nlohmann::json& report, PreviousResults& out);

// Adds `more` to `out`, both sorted with one entry per key; `more` wins where both have a key.
void MergePreviousResults(PreviousResults& out, const PreviousResults& more);

// The entry for `key`, or null.
const PreviousResult* FindPreviousResult(const PreviousResults& results, ResultKey key);

// Sets each entry's timestamp: the previous one when the result (uid, outcome, message,
// properties) did not change, else `now` ("the evaluation that last changed it").
void StampTimestamps(std::vector<PolicyEntry>& entries, const PreviousResults& previous,
                     report::Timestamp now);

// Every desired report: entries grouped per (namespace, policy), stamped, then built by
// report::BuildPolicyReports (sorted, summarised, split). Sorted by (namespace, name).
std::vector<report::PolicyReport> DesiredReports(std::vector<PolicyEntry> entries,
                                                 const PreviousResults& previous,
                                                 report::Timestamp now,
                                                 report::ReportSplit split = {});

// An existing report as the cache keeps it: identity, ownership and a digest of its content.
struct ExistingReport {
  std::string ns = {};
  std::string name = {};
  std::string resource_version = {};
  bool managed = false;  // labeled app.kubernetes.io/managed-by: csp-operator
  std::uint64_t digest = 0;
};

// A digest (64-bit std::hash of compact JSON; compare only within one process) of what we own in a
// report: our two labels, summary, results and the top-level source (OpenReports). Equal for
// ToJson(r, api) and for that object as read back from the API server.
std::uint64_t ContentDigest(const nlohmann::json& report);
// ContentDigest(report::ToJson(report, api)), without building the JSON value.
std::uint64_t ContentDigest(const report::PolicyReport& report, names::ReportApi api);

// A digest of every field of the model that ToJson writes (name, namespace, policy, summary,
// each result's fields), by 64-bit std::hash: cheaper than ContentDigest(report, api), which
// writes the JSON text. Compare only within one process. Equal models give equal digests; a
// differing one gives a differing digest but for a 64-bit collision.
std::uint64_t ModelDigest(const report::PolicyReport& report);

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
// Creates and updates are objects of `api`; `existing` must be that API's reports.
// `digests`: ContentDigest(desired[i], api) for each i, if the caller has them (memoized); empty:
// computed here.
ReportWrites DiffReports(std::span<const report::PolicyReport> desired,
                         std::span<const ExistingReport> existing, names::ReportApi api,
                         std::span<const std::uint64_t> digests = {});

}  // namespace csp::controllers
