// Results -> reports (api.md "Reports"): one model, serialized as a wgpolicyk8s.io/v1alpha2
// PolicyReport or an openreports.io/v1alpha1 Report; the API is a parameter of serialization
// only. Pure: shared by the operator and `cspctl scan`, so both write exactly the same objects.
// Their labels (managed-by csp-operator, the policy) and source are csp::names'.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csp/names/names.h"
#include "csp/policy/engine.h"
#include "csp/report/json_writer.h"

namespace csp::report {

// How a (namespace, policy)'s results are split into reports (BuildPolicyReports).
struct ReportSplit {
  // Up to this many workloads, one report; more go to parts of about this many each.
  std::size_t workloads_per_part = 32;
  // No part's results pass this many bytes of JSON (etcd refuses requests over 1.5 MiB).
  std::size_t max_bytes = 500 * 1024;
};

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

// The result property naming a custom kind's pod template ("Worker"; docs/api.md).
inline constexpr std::string_view kPodTemplateProperty = "podTemplate";

// The entry for one engine result: failing containers ("containers"), nodes lacking a profile
// ("missingNodes", comma-separated), the exemption and a custom kind's pod template
// (kPodTemplateProperty) go to properties.
Entry MakeEntry(const policy::WorkloadRef& resource, const policy::RuleResult& result,
                Timestamp timestamp);

struct Summary {
  int pass = 0, fail = 0, warn = 0, error = 0, skip = 0;
  bool operator==(const Summary&) const = default;
};

// One report: the results of one (namespace, policy), or a part of them when split.
struct PolicyReport {
  std::string name = {};
  std::string ns = {};
  std::string policy = {};
  Summary summary = {};
  std::vector<Entry> results = {};  // sorted by (kind, name, pod template, rule)
};

// "csp-<policy>", or "csp-<policy>-<n>" (1-based) when the report is split.
std::string ReportName(std::string_view policy, std::size_t part, std::size_t parts);

// The PolicyReports of one (namespace, policy), each with its summary and its results sorted
// by (kind, name, pod template, rule); a workload's results stay in one report. No entries: no
// report. Up to split.workloads_per_part workloads: one report, "csp-<policy>". More: P parts,
// P the smallest power of two with P * workloads_per_part >= the workloads, and a workload goes
// to part 1 + FNV-1a(kind, name) mod P, "csp-<policy>-<part>" (a part no workload hashes to is
// not written). So a change to one workload rewrites only its part (kube-apiserver's CPU for a
// report write grows with its size: ~0.75 ms a KB), and a part changes only when its
// workloads do or when P doubles or halves. A part whose results pass split.max_bytes (with two
// workloads or more) doubles P again.
std::vector<PolicyReport> BuildPolicyReports(std::string_view policy, std::string_view ns,
                                             std::vector<Entry> entries, ReportSplit split = {});

// The object of a report in `api` (apiVersion, kind, and for OpenReports the top-level
// `source`; everything else is the same), and of one of its results (the same in both APIs).
nlohmann::json ToJson(const PolicyReport& report, names::ReportApi api);
nlohmann::json ResultJson(const Entry& entry, std::string_view policy);
// ResultJson(entry, policy) written to `w`, as dump() prints it.
void WriteResultJson(const Entry& entry, std::string_view policy, JsonWriter& w);

// ToJson(report, api).dump(indent), written without building the JSON value, appended to
// `out`. `level` indents the whole object as if nested that deep (for a List's items).
void AppendJson(const PolicyReport& report, names::ReportApi api, int indent, int level,
                std::string& out);

}  // namespace csp::report
