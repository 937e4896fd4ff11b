#include "csp/report/policy_report.h"

#include <algorithm>
#include <tuple>

#include "csp/common/fnv1a.h"
#include "csp/report/json_writer.h"

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
  if (!result.nodes.empty()) {
    // Rules 2 and 3 in a cluster: every node lacking a profile (the message lists a few).
    std::string joined;
    for (const std::string& n : result.nodes) joined += (joined.empty() ? "" : ",") + n;
    e.properties["missingNodes"] = std::move(joined);
  }
  for (const auto& [key, value] : result.properties) e.properties[key] = value;
  // A custom kind's templates each have results of their own (api.md "WorkloadKind").
  if (!resource.pod_template.empty())
    e.properties[std::string(kPodTemplateProperty)] = resource.pod_template;
  if (result.exemption)
    e.properties["exemption"] = "spec.exemptions[" + std::to_string(*result.exemption) + "]";
  return e;
}

json ResultJson(const Entry& e, std::string_view policy) {
  json r = {{"source", names::kReportSource},
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

// Bytes a string takes in compact JSON, quotes included: an upper bound for escapes.
std::size_t JsonStringBytes(std::string_view text) {
  std::size_t n = text.size() + 2;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      n += 1;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      n += 5;  // \u00XX
    }
  }
  return n;
}

// An upper bound of ResultJson(entry).dump().size(), without building and dumping it: report
// splitting needs only a bound, and the scan of 10,000 workloads would dump 80,000 results.
std::size_t ResultBytes(const Entry& e, std::string_view policy) {
  static const std::size_t kSkeleton = [] {
    Entry empty;
    empty.message = "x";  // so the "message" key is counted
    empty.resource.uid = "x";
    return ResultJson(empty, "").dump().size();
  }();
  std::size_t n = kSkeleton + 40;  // the timestamp's digits
  for (std::string_view s :
       {std::string_view(e.resource.api_version), std::string_view(e.resource.kind),
        std::string_view(e.resource.ns), std::string_view(e.resource.name),
        std::string_view(e.resource.uid), std::string_view(e.rule), std::string_view(e.severity),
        std::string_view(e.message), policy}) {
    n += JsonStringBytes(s);
  }
  for (const auto& [key, value] : e.properties)
    n += JsonStringBytes(key) + JsonStringBytes(value) + 2;
  return n;
}

}  // namespace

std::vector<PolicyReport> BuildPolicyReports(std::string_view policy, std::string_view ns,
                                             std::vector<Entry> entries, ReportSplit split) {
  std::vector<PolicyReport> reports;
  if (entries.empty()) return reports;
  // Sorted through pointers, and each moved once, into its part: an Entry is ~400 bytes of
  // strings and a map.
  std::vector<Entry*> sorted;
  sorted.reserve(entries.size());
  for (Entry& e : entries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return std::tie(a->resource.kind, a->resource.name, a->resource.pod_template, a->rule, a) <
           std::tie(b->resource.kind, b->resource.name, b->resource.pod_template, b->rule, b);
  });
  // The workloads: runs of entries of one (kind, name), their bytes and their part's hash.
  struct Workload {
    std::size_t begin = 0, end = 0, bytes = 0;
    std::uint64_t hash = 0;
  };
  std::vector<Workload> workloads;
  for (std::size_t i = 0; i < sorted.size();) {
    const Entry& first = *sorted[i];
    Workload w{.begin = i,
               .hash = Fnv1a().Add(first.resource.kind).Add(first.resource.name).value()};
    while (i < sorted.size() && sorted[i]->resource.kind == first.resource.kind &&
           sorted[i]->resource.name == first.resource.name) {
      w.bytes += ResultBytes(*sorted[i], policy) + 1;
      ++i;
    }
    w.end = i;
    workloads.push_back(w);
  }
  const std::size_t per_part = std::max<std::size_t>(1, split.workloads_per_part);
  std::size_t parts = 1;
  if (workloads.size() > per_part) {
    while (parts * per_part < workloads.size()) parts *= 2;
  }
  // Doubles P while a part of two workloads or more passes max_bytes (bounded: past four parts
  // a workload, a collision of hashes is left as it is).
  std::vector<std::size_t> part_of(workloads.size(), 0);
  while (true) {
    std::vector<std::size_t> bytes(parts, 0), count(parts, 0);
    bool over = false;
    for (std::size_t w = 0; w < workloads.size(); ++w) {
      part_of[w] = parts == 1 ? 0 : workloads[w].hash % parts;
      bytes[part_of[w]] += workloads[w].bytes;
      over = over || (++count[part_of[w]] > 1 && bytes[part_of[w]] > split.max_bytes);
    }
    if (!over || parts >= 4 * workloads.size()) break;
    parts *= 2;
  }

  std::vector<PolicyReport> by_part(parts);
  {
    std::vector<std::size_t> results(parts, 0);  // reserved, so that no Entry moves twice
    for (std::size_t w = 0; w < workloads.size(); ++w)
      results[part_of[w]] += workloads[w].end - workloads[w].begin;
    for (std::size_t k = 0; k < parts; ++k) by_part[k].results.reserve(results[k]);
  }
  for (std::size_t w = 0; w < workloads.size(); ++w) {
    PolicyReport& current = by_part[part_of[w]];
    for (std::size_t i = workloads[w].begin; i < workloads[w].end; ++i) {
      Summary& s = current.summary;
      switch (sorted[i]->outcome) {
        case policy::Outcome::kPass:
          ++s.pass;
          break;
        case policy::Outcome::kFail:
          ++s.fail;
          break;
        case policy::Outcome::kSkip:
          ++s.skip;
          break;
        case policy::Outcome::kError:
          ++s.error;
          break;
      }
      current.results.push_back(std::move(*sorted[i]));
    }
  }
  for (std::size_t k = 0; k < parts; ++k) {
    if (by_part[k].results.empty()) continue;
    by_part[k].name = ReportName(policy, k + 1, parts);
    by_part[k].ns = std::string(ns);
    by_part[k].policy = std::string(policy);
    reports.push_back(std::move(by_part[k]));
  }
  return reports;
}

json ToJson(const PolicyReport& report, names::ReportApi api) {
  const names::ReportApiNames& kinds = names::NamesOf(api);
  json results = json::array();
  for (const Entry& e : report.results) results.push_back(ResultJson(e, report.policy));
  const Summary& s = report.summary;
  json out = {{"apiVersion", kinds.api_version},
              {"kind", kinds.reports.kind},
              {"metadata",
               {{"name", report.name},
                {"namespace", report.ns},
                {"labels",
                 {{names::kManagedByLabel, names::kManagedByOperator},
                  {names::kPolicyLabel, report.policy}}}}},
              {"summary",
               {{names::kResultPass, s.pass},
                {names::kResultFail, s.fail},
                {names::kResultWarn, s.warn},
                {names::kResultError, s.error},
                {names::kResultSkip, s.skip}}},
              {"results", std::move(results)}};
  if (kinds.report_source) out["source"] = names::kReportSource;
  return out;
}

// Keys in sorted order, as ResultJson's std::map-backed object prints them.
void WriteResultJson(const Entry& e, std::string_view policy, JsonWriter& w) {
  w.BeginObject();
  w.Key("category");
  w.String(policy::kCategory);
  if (!e.message.empty()) {
    w.Key("message");
    w.String(e.message);
  }
  w.Key("policy");
  w.String(policy);
  if (!e.properties.empty()) {
    w.Key("properties");
    w.BeginObject();
    for (const auto& [key, value] : e.properties) {
      w.Key(key);
      w.String(value);
    }
    w.EndObject();
  }
  w.Key("resources");
  w.BeginArray();
  w.BeginObject();
  w.Key("apiVersion");
  w.String(e.resource.api_version);
  w.Key("kind");
  w.String(e.resource.kind);
  w.Key("name");
  w.String(e.resource.name);
  w.Key("namespace");
  w.String(e.resource.ns);
  if (!e.resource.uid.empty()) {
    w.Key("uid");
    w.String(e.resource.uid);
  }
  w.EndObject();
  w.EndArray();
  w.Key("result");
  w.String(policy::OutcomeName(e.outcome));
  w.Key("rule");
  w.String(e.rule);
  w.Key("severity");
  w.String(e.severity);
  w.Key("source");
  w.String(names::kReportSource);
  w.Key("timestamp");
  w.BeginObject();
  w.Key("nanos");
  w.Int(e.timestamp.nanos);
  w.Key("seconds");
  w.Int(e.timestamp.seconds);
  w.EndObject();
  w.EndObject();
}

void AppendJson(const PolicyReport& report, names::ReportApi api, int indent, int level,
                std::string& out) {
  const names::ReportApiNames& kinds = names::NamesOf(api);
  JsonWriter w(out, indent, level);
  w.BeginObject();
  w.Key("apiVersion");
  w.String(kinds.api_version);
  w.Key("kind");
  w.String(kinds.reports.kind);
  w.Key("metadata");
  w.BeginObject();
  w.Key("labels");
  w.BeginObject();
  w.Key(names::kManagedByLabel);
  w.String(names::kManagedByOperator);
  w.Key(names::kPolicyLabel);
  w.String(report.policy);
  w.EndObject();
  w.Key("name");
  w.String(report.name);
  w.Key("namespace");
  w.String(report.ns);
  w.EndObject();
  w.Key("results");
  w.BeginArray();
  for (const Entry& e : report.results) WriteResultJson(e, report.policy, w);
  w.EndArray();
  if (kinds.report_source) {
    w.Key("source");
    w.String(names::kReportSource);
  }
  const Summary& s = report.summary;
  w.Key("summary");
  w.BeginObject();
  w.Key(names::kResultError);
  w.Int(s.error);
  w.Key(names::kResultFail);
  w.Int(s.fail);
  w.Key(names::kResultPass);
  w.Int(s.pass);
  w.Key(names::kResultSkip);
  w.Int(s.skip);
  w.Key(names::kResultWarn);
  w.Int(s.warn);
  w.EndObject();
  w.EndObject();
}

}  // namespace csp::report
