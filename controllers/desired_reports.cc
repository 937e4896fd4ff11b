#include "csp/controllers/desired_reports.h"

#include <algorithm>
#include <tuple>

#include "csp/common/fnv1a.h"
#include "csp/names/names.h"

namespace csp::controllers {

using json = nlohmann::json;

namespace {

std::string Str(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& Sub(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it != object.end() ? *it : kNull;
}

bool IsManaged(const json& report) {
  return Str(Sub(Sub(report, "metadata"), "labels"), std::string(names::kManagedByLabel).c_str()) ==
         names::kManagedByOperator;
}

// The digest of a report's content text: compared only with digests made by this process
// (never stored), so libstdc++'s 64-bit std::hash (several bytes a cycle, where FNV-1a takes
// a multiply a byte: 1.3 ms for a namespace of 106 workloads).
std::uint64_t TextDigest(std::string_view text) { return std::hash<std::string_view>{}(text); }

// A custom kind's templates are results of their own: "name/template" (names hold no '/').
std::string KeyName(std::string_view name, std::string_view pod_template) {
  std::string out(name);
  if (!pod_template.empty()) out.append("/").append(pod_template);
  return out;
}

ResultKey KeyOf(const std::string& policy, const report::Entry& e) {
  return MakeResultKey(e.resource.ns, policy, e.resource.kind,
                       KeyName(e.resource.name, e.resource.pod_template), e.rule);
}

}  // namespace

ResultKey MakeResultKey(std::string_view ns, std::string_view policy, std::string_view kind,
                        std::string_view name, std::string_view rule) {
  return {Fnv1a().Add(ns).Add(policy).Add(kind).Add(name).Add(rule).value()};
}

std::uint64_t ResultContentDigest(std::string_view uid, std::string_view result,
                                  std::string_view message,
                                  const std::map<std::string, std::string>& properties) {
  Fnv1a h;
  h.Add(uid).Add(result).Add(message);
  for (const auto& [k, v] : properties) h.Add(k).Add(v);
  return h.value();
}

namespace {

bool KeyLess(const std::pair<ResultKey, PreviousResult>& a,
             const std::pair<ResultKey, PreviousResult>& b) {
  return a.first < b.first;
}

// Sorts `out`, whose first `sorted` entries are sorted already, and keeps the last of each run
// of equal keys: entries added later win.
void SortKeepingLast(PreviousResults& out, std::size_t sorted) {
  if (sorted == out.size()) return;
  const auto middle = out.begin() + static_cast<std::ptrdiff_t>(sorted);
  std::stable_sort(middle, out.end(), KeyLess);
  std::inplace_merge(out.begin(), middle, out.end(), KeyLess);  // stable: earlier ones first
  std::size_t kept = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i + 1 < out.size() && out[i + 1].first == out[i].first) continue;
    out[kept++] = out[i];
  }
  out.resize(kept);
}

}  // namespace

void MergePreviousResults(PreviousResults& out, const PreviousResults& more) {
  const std::size_t sorted = out.size();
  out.insert(out.end(), more.begin(), more.end());
  SortKeepingLast(out, sorted);
}

const PreviousResult* FindPreviousResult(const PreviousResults& results, ResultKey key) {
  auto it =
      std::lower_bound(results.begin(), results.end(), std::pair(key, PreviousResult{}), KeyLess);
  return it != results.end() && it->first == key ? &it->second : nullptr;
}

void IndexReportResults(const json& report, PreviousResults& out) {
  if (!IsManaged(report)) return;
  const std::string ns = Str(Sub(report, "metadata"), "namespace");
  const json& results = Sub(report, "results");
  if (!results.is_array()) return;
  const std::size_t sorted = out.size();
  out.reserve(sorted + results.size());
  for (const json& r : results) {
    const json& resources = Sub(r, "resources");
    if (!resources.is_array() || resources.size() != 1) continue;
    const json& res = resources[0];
    const std::string policy = Str(r, "policy"), kind = Str(res, "kind"), name = Str(res, "name"),
                      rule = Str(r, "rule");
    if (policy.empty() || kind.empty() || name.empty() || rule.empty()) continue;
    std::map<std::string, std::string> properties;
    const json& props = Sub(r, "properties");
    if (props.is_object()) {
      for (const auto& [k, v] : props.items()) {
        if (v.is_string()) properties[k] = v.get<std::string>();
      }
    }
    PreviousResult prev{.content = ResultContentDigest(Str(res, "uid"), Str(r, "result"),
                                                       Str(r, "message"), properties)};
    const json& ts = Sub(r, "timestamp");
    const json& seconds = Sub(ts, "seconds");
    const json& nanos = Sub(ts, "nanos");
    if (seconds.is_number_integer()) prev.timestamp.seconds = seconds.get<std::int64_t>();
    if (nanos.is_number_integer()) prev.timestamp.nanos = nanos.get<std::int32_t>();
    auto pod_template = properties.find(std::string(report::kPodTemplateProperty));
    out.emplace_back(
        MakeResultKey(ns, policy, kind,
                      KeyName(name, pod_template == properties.end() ? "" : pod_template->second),
                      rule),
        prev);
  }
  SortKeepingLast(out, sorted);
}

void StampTimestamps(std::vector<PolicyEntry>& entries, const PreviousResults& previous,
                     report::Timestamp now) {
  for (PolicyEntry& pe : entries) {
    report::Entry& e = pe.entry;
    e.timestamp = now;
    const PreviousResult* found = FindPreviousResult(previous, KeyOf(pe.policy, e));
    if (found == nullptr) continue;
    const PreviousResult& p = *found;
    if (p.content == ResultContentDigest(e.resource.uid, policy::OutcomeName(e.outcome), e.message,
                                         e.properties)) {
      e.timestamp = p.timestamp;
    }
  }
}

std::vector<report::PolicyReport> DesiredReports(std::vector<PolicyEntry> entries,
                                                 const PreviousResults& previous,
                                                 report::Timestamp now, report::ReportSplit split) {
  StampTimestamps(entries, previous, now);
  std::map<std::pair<std::string, std::string>, std::vector<report::Entry>> groups;
  for (PolicyEntry& pe : entries) {
    std::string ns = pe.entry.resource.ns;
    groups[{std::move(ns), std::move(pe.policy)}].push_back(std::move(pe.entry));
  }
  std::vector<report::PolicyReport> out;
  for (auto& [key, group] : groups) {
    for (report::PolicyReport& r :
         report::BuildPolicyReports(key.second, key.first, std::move(group), split)) {
      out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const report::PolicyReport& a, const report::PolicyReport& b) {
              return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
            });
  return out;
}

std::uint64_t ContentDigest(const json& report) {
  // The compact dump of {"managedBy", "policy", "results", "source", "summary"} (keys in
  // nlohmann's sorted order), written piece by piece: no copy of the results.
  const json& labels = Sub(Sub(report, "metadata"), "labels");
  std::string text = R"({"managedBy":)";
  text += json(Str(labels, std::string(names::kManagedByLabel).c_str())).dump();
  text += R"(,"policy":)";
  text += json(Str(labels, std::string(names::kPolicyLabel).c_str())).dump();
  text += R"(,"results":)";
  text += Sub(report, "results").dump();
  text += R"(,"source":)";
  text += Sub(report, "source").dump();
  text += R"(,"summary":)";
  text += Sub(report, "summary").dump();
  text += "}";
  return TextDigest(text);
}

std::uint64_t ContentDigest(const report::PolicyReport& r, names::ReportApi api) {
  // The object ContentDigest(json) dumps, keys in its (sorted) order.
  std::string text;
  text.reserve(256 + r.results.size() * 384);
  report::JsonWriter w(text, -1);
  w.BeginObject();
  w.Key("managedBy");
  w.String(names::kManagedByOperator);
  w.Key("policy");
  w.String(r.policy);
  w.Key("results");
  w.BeginArray();
  for (const report::Entry& e : r.results) report::WriteResultJson(e, r.policy, w);
  w.EndArray();
  w.Key("source");
  if (names::NamesOf(api).report_source) {
    w.String(names::kReportSource);
  } else {
    w.Null();
  }
  w.Key("summary");
  w.BeginObject();
  for (const auto& [key, count] : {std::pair{names::kResultError, r.summary.error},
                                   {names::kResultFail, r.summary.fail},
                                   {names::kResultPass, r.summary.pass},
                                   {names::kResultSkip, r.summary.skip},
                                   {names::kResultWarn, r.summary.warn}}) {
    w.Key(key);
    w.Int(count);
  }
  w.EndObject();
  w.EndObject();
  return TextDigest(text);
}

namespace {

// Mixes `value` into `h` (splitmix64's finalizer over their sum): order-sensitive.
std::uint64_t Mix(std::uint64_t h, std::uint64_t value) {
  std::uint64_t z = h + value + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A string and its length, so that ("ab", "c") and ("a", "bc") differ.
std::uint64_t Mix(std::uint64_t h, std::string_view s) {
  return Mix(Mix(h, std::hash<std::string_view>{}(s)), s.size());
}

}  // namespace

std::uint64_t ModelDigest(const report::PolicyReport& r) {
  std::uint64_t h = 0;
  h = Mix(Mix(Mix(h, r.name), r.ns), r.policy);
  for (int n : {r.summary.pass, r.summary.fail, r.summary.warn, r.summary.error, r.summary.skip}) {
    h = Mix(h, static_cast<std::uint64_t>(n));
  }
  h = Mix(h, r.results.size());
  for (const report::Entry& e : r.results) {
    const policy::WorkloadRef& w = e.resource;
    for (std::string_view s :
         {std::string_view(w.api_version), std::string_view(w.kind), std::string_view(w.ns),
          std::string_view(w.name), std::string_view(w.uid), std::string_view(w.pod_template),
          std::string_view(e.rule), std::string_view(e.severity), std::string_view(e.message)}) {
      h = Mix(h, s);
    }
    h = Mix(h, static_cast<std::uint64_t>(e.outcome));
    h = Mix(Mix(h, static_cast<std::uint64_t>(e.timestamp.seconds)),
            static_cast<std::uint64_t>(e.timestamp.nanos));
    h = Mix(h, e.properties.size());
    for (const auto& [key, value] : e.properties) h = Mix(Mix(h, key), value);
  }
  return h;
}

ExistingReport SummarizeReport(const json& report) {
  const json& meta = Sub(report, "metadata");
  return {.ns = Str(meta, "namespace"),
          .name = Str(meta, "name"),
          .resource_version = Str(meta, "resourceVersion"),
          .managed = IsManaged(report),
          .digest = ContentDigest(report)};
}

ReportWrites DiffReports(std::span<const report::PolicyReport> desired,
                         std::span<const ExistingReport> existing, names::ReportApi api,
                         std::span<const std::uint64_t> digests) {
  std::map<ObjectName, const ExistingReport*> by_name;
  for (const ExistingReport& e : existing) by_name[{e.ns, e.name}] = &e;
  ReportWrites w;
  std::map<ObjectName, bool> wanted;
  for (std::size_t i = 0; i < desired.size(); ++i) {
    const report::PolicyReport& d = desired[i];
    ObjectName name{d.ns, d.name};
    wanted[name] = true;
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      w.creates.push_back(report::ToJson(d, api));
      continue;
    }
    const ExistingReport& e = *it->second;
    if (!e.managed) {
      w.blocked.push_back(std::move(name));
      continue;
    }
    if ((digests.empty() ? ContentDigest(d, api) : digests[i]) == e.digest) continue;
    json body = report::ToJson(d, api);
    if (!e.resource_version.empty()) body["metadata"]["resourceVersion"] = e.resource_version;
    w.updates.push_back(std::move(body));
  }
  for (const auto& [name, e] : by_name) {
    if (e->managed && !wanted.contains(name)) w.deletes.push_back(name);
  }
  return w;
}

}  // namespace csp::controllers
