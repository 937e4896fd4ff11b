// Desired reports: timestamps of unchanged results are kept, the diff writes only what changed,
// deletes reports of deleted policies and emptied namespaces, and never touches foreign
// reports; our reports edited or deleted by someone else are put right.
#include "csp/controllers/desired_reports.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>

#include "csp/policy/control.h"
#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;
using test::BadPodSpec;
using test::GoodPodSpec;
using test::MakeWorkload;

constexpr report::Timestamp kT1{.seconds = 1000};
constexpr report::Timestamp kT2{.seconds = 2000};

std::vector<PolicyEntry> EntriesOf(const std::deque<policy::Policy>& policies,
                                   const std::vector<json>& objects) {
  std::vector<PolicyEntry> out;
  for (const json& o : objects) {
    for (const Evaluation& e : test::MustEvaluate(policies, o)) {
      std::vector<PolicyEntry> entries = ToEntries(e, nullptr);
      out.insert(out.end(), entries.begin(), entries.end());
    }
  }
  return out;
}

// The reports as the API server would hand them back: JSON text, parsed again.
std::vector<json> RoundTrip(const std::vector<report::PolicyReport>& reports,
                            names::ReportApi api = names::ReportApi::kWgPolicyK8s) {
  std::vector<json> out;
  for (const report::PolicyReport& r : reports) {
    json j = json::parse(report::ToJson(r, api).dump());
    j["metadata"]["resourceVersion"] = "7";
    j["metadata"]["uid"] = "r-" + r.name;
    out.push_back(std::move(j));
  }
  return out;
}

PreviousResults Index(const std::vector<json>& reports) {
  PreviousResults out;
  for (const json& r : reports) IndexReportResults(r, out);
  return out;
}

std::vector<ExistingReport> Existing(const std::vector<json>& reports) {
  std::vector<ExistingReport> out;
  for (const json& r : reports) out.push_back(SummarizeReport(r));
  return out;
}

report::Timestamp TimestampOf(const std::vector<report::PolicyReport>& reports,
                              std::string_view name, std::string_view rule) {
  for (const report::PolicyReport& r : reports) {
    for (const report::Entry& e : r.results) {
      if (e.resource.name == name && e.rule == rule) return e.timestamp;
    }
  }
  ADD_FAILURE() << "no result " << name << " " << rule;
  return {};
}

// --- timestamps -------------------------------------------------------------------------

struct TimestampCase {
  std::string name;
  json before, after;  // the workload at the first and the second pass
  std::string rule;
  report::Timestamp want;
};

void PrintTo(const TimestampCase& c, std::ostream* os) { *os << c.name; }

class TimestampTest : public testing::TestWithParam<TimestampCase> {};

TEST_P(TimestampTest, KeptUnlessTheResultChanged) {
  const TimestampCase& c = GetParam();
  std::deque<policy::Policy> policies = {test::MakePolicy("base", R"({})")};
  std::vector<json> first = RoundTrip(DesiredReports(EntriesOf(policies, {c.before}), {}, kT1));
  std::vector<report::PolicyReport> second =
      DesiredReports(EntriesOf(policies, {c.after}), Index(first), kT2);
  EXPECT_EQ(TimestampOf(second, "web", c.rule), c.want);
}

json WithUid(json o, std::string uid) {
  o["metadata"]["uid"] = std::move(uid);
  return o;
}

json Renamed(json o, std::string container) {
  o["spec"]["template"]["spec"]["containers"][0]["name"] = std::move(container);
  return o;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TimestampTest,
    testing::ValuesIn(std::vector<TimestampCase>{
        {"unchanged_pass_kept", MakeWorkload("Deployment", "web", GoodPodSpec()),
         MakeWorkload("Deployment", "web", GoodPodSpec()), "disallow-privileged", kT1},
        {"unchanged_fail_kept", MakeWorkload("Deployment", "web", BadPodSpec()),
         MakeWorkload("Deployment", "web", BadPodSpec()), "disallow-privileged", kT1},
        {"outcome_changed", MakeWorkload("Deployment", "web", GoodPodSpec()),
         MakeWorkload("Deployment", "web", BadPodSpec()), "disallow-privileged", kT2},
        {"message_changed", MakeWorkload("Deployment", "web", BadPodSpec()),
         Renamed(MakeWorkload("Deployment", "web", BadPodSpec()), "other"), "disallow-privileged",
         kT2},
        {"other_rule_unchanged_kept", MakeWorkload("Deployment", "web", GoodPodSpec()),
         MakeWorkload("Deployment", "web", BadPodSpec()), "require-non-root", kT1},
        {"recreated_workload_new_uid", MakeWorkload("Deployment", "web", GoodPodSpec()),
         WithUid(MakeWorkload("Deployment", "web", GoodPodSpec()), "new"), "disallow-privileged",
         kT2},
    }),
    [](const auto& info) { return info.param.name; });

TEST(TimestampPropertiesTest, RemediationChangeIsAChange) {
  std::deque<policy::Policy> policies = {test::MakePolicy("base", R"({"action":"Label"})")};
  json object = MakeWorkload("Deployment", "web", BadPodSpec());
  std::vector<PolicyEntry> entries = EntriesOf(policies, {object});
  std::vector<json> first = RoundTrip(DesiredReports(entries, {}, kT1));
  for (PolicyEntry& pe : entries) {
    if (pe.entry.rule == "disallow-privileged") pe.entry.properties["remediation"] = "labeled";
  }
  std::vector<report::PolicyReport> second = DesiredReports(entries, Index(first), kT2);
  EXPECT_EQ(TimestampOf(second, "web", "disallow-privileged"), kT2);
  EXPECT_EQ(TimestampOf(second, "web", "require-non-root"), kT1);
}

// A custom kind's pod templates (api.md "WorkloadKind") are results of their own: an
// unchanged result of one template keeps its timestamp beside another template's results.
TEST(TimestampPropertiesTest, EachPodTemplateKeepsItsOwnTimestamp) {
  std::deque<policy::Policy> policies = {test::MakePolicy("base", "{}")};
  std::vector<PolicyEntry> entries;
  for (const char* pod_template : {"Master", "Worker"}) {
    for (PolicyEntry pe :
         EntriesOf(policies, {MakeWorkload("Deployment", "train", BadPodSpec())})) {
      pe.entry.resource.pod_template = pod_template;
      pe.entry.properties["podTemplate"] = pod_template;
      pe.entry.message += pod_template;  // each template's own content
      entries.push_back(std::move(pe));
    }
  }
  std::vector<json> first = RoundTrip(DesiredReports(entries, {}, kT1));
  std::vector<report::PolicyReport> second = DesiredReports(entries, Index(first), kT2);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_EQ(second[0].results.size(), entries.size());
  for (const report::Entry& e : second[0].results) {
    EXPECT_EQ(e.timestamp, kT1) << e.resource.pod_template << " " << e.rule;
  }
}

// --- diff ---------------------------------------------------------------------------------

std::vector<std::string> Names(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const json& o : objects) {
    out.push_back(o["metadata"]["namespace"].get<std::string>() + "/" +
                  o["metadata"]["name"].get<std::string>());
  }
  return out;
}
std::vector<std::string> Names(const std::vector<ObjectName>& names) {
  std::vector<std::string> out;
  for (const ObjectName& n : names) out.push_back(n.ns + "/" + n.name);
  return out;
}

json InNamespace(json o, const std::string& ns) {
  o["metadata"]["namespace"] = ns;
  return o;
}

json Foreign(std::string ns, std::string name) {
  return {{"apiVersion", "wgpolicyk8s.io/v1alpha2"},
          {"kind", "PolicyReport"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"labels", {{"app.kubernetes.io/managed-by", "kyverno"}}}}},
          {"results", json::array()}};
}

struct DiffCase {
  std::string name;
  std::vector<std::string_view> policies;  // "name=spec"
  std::vector<json> workloads_before, workloads_now;
  // Edits to the existing reports (after the first pass) before the second pass.
  std::function<void(std::vector<json>&)> edit;
  std::vector<std::string> creates, updates, deletes, blocked;
};

void PrintTo(const DiffCase& c, std::ostream* os) { *os << c.name; }

class DiffTest : public testing::TestWithParam<DiffCase> {};

std::deque<policy::Policy> Policies(const std::vector<std::string_view>& specs) {
  std::deque<policy::Policy> out;
  for (std::string_view s : specs) {
    auto eq = s.find('=');
    out.push_back(test::MakePolicy(s.substr(0, eq), s.substr(eq + 1)));
  }
  return out;
}

TEST_P(DiffTest, WritesOnlyTheDifference) {
  const DiffCase& c = GetParam();
  // The same writes whichever API the reports are in.
  for (names::ReportApi api : {names::ReportApi::kWgPolicyK8s, names::ReportApi::kOpenReports}) {
    SCOPED_TRACE(names::NamesOf(api).name);
    // First pass: every policy of the case plus "old", which the second pass no longer has.
    std::vector<std::string_view> first_specs = c.policies;
    first_specs.push_back("old={}");
    std::deque<policy::Policy> before = Policies(first_specs);
    std::vector<json> existing =
        RoundTrip(DesiredReports(EntriesOf(before, c.workloads_before), {}, kT1), api);
    if (c.edit) c.edit(existing);

    std::deque<policy::Policy> now = Policies(c.policies);
    std::vector<report::PolicyReport> desired =
        DesiredReports(EntriesOf(now, c.workloads_now), Index(existing), kT2);
    ReportWrites w = DiffReports(desired, Existing(existing), api);
    for (const json& o : w.creates) EXPECT_EQ(o["kind"], names::NamesOf(api).reports.kind);
    EXPECT_EQ(Names(w.creates), c.creates);
    EXPECT_EQ(Names(w.updates), c.updates);
    EXPECT_EQ(Names(w.deletes), c.deletes);
    EXPECT_EQ(Names(w.blocked), c.blocked);
    for (const json& u : w.updates) EXPECT_EQ(u["metadata"]["resourceVersion"], "7");

    // Applying the writes converges: a further pass writes nothing.
    std::map<std::string, json> state;
    for (const json& e : existing) state[Names(std::vector<json>{e})[0]] = e;
    for (const json& o : w.creates) state[Names(std::vector<json>{o})[0]] = o;
    for (const json& o : w.updates) state[Names(std::vector<json>{o})[0]] = o;
    for (const std::string& d : Names(w.deletes)) state.erase(d);
    std::vector<json> after;
    for (auto& [k, v] : state) after.push_back(v);
    std::vector<report::PolicyReport> again =
        DesiredReports(EntriesOf(now, c.workloads_now), Index(after), kT2);
    ReportWrites w2 = DiffReports(again, Existing(after), api);
    EXPECT_TRUE(w2.creates.empty() && w2.updates.empty() && w2.deletes.empty())
        << Names(w2.creates).size() << Names(w2.updates).size() << Names(w2.deletes).size();
  }
}

std::vector<DiffCase> DiffCases() {
  const json web = MakeWorkload("Deployment", "web", GoodPodSpec());
  const json bad_web = MakeWorkload("Deployment", "web", BadPodSpec());
  const json api = InNamespace(MakeWorkload("Deployment", "api", GoodPodSpec()), "prod");
  return {
      {"steady_state_no_writes_but_deleted_policy",
       {"base={}"},
       {web},
       {web},
       nullptr,
       {},
       {},
       {"default/csp-old"},
       {}},
      {"changed_result_updates",
       {"base={}"},
       {web},
       {bad_web},
       nullptr,
       {},
       {"default/csp-base"},
       {"default/csp-old"},
       {}},
      {"new_namespace_creates",
       {"base={}"},
       {web},
       {web, api},
       nullptr,
       {"prod/csp-base"},
       {},
       {"default/csp-old"},
       {}},
      {"namespace_without_results_deleted",
       {"base={}"},
       {web, api},
       {web},
       nullptr,
       {},
       {},
       {"default/csp-old", "prod/csp-base", "prod/csp-old"},
       {}},
      {"edited_by_someone_else_rewritten",
       {"base={}"},
       {web},
       {web},
       [](std::vector<json>& reports) {
         for (json& r : reports) {
           if (r["metadata"]["name"] != "csp-base") continue;
           json& result = r["results"][0]["result"];  // changed, whatever it was
           result = result == "fail" ? "pass" : "fail";
         }
       },
       {},
       {"default/csp-base"},
       {"default/csp-old"},
       {}},
      {"deleted_by_someone_else_recreated",
       {"base={}"},
       {web},
       {web},
       [](std::vector<json>& reports) {
         std::erase_if(reports, [](const json& r) { return r["metadata"]["name"] == "csp-base"; });
       },
       {"default/csp-base"},
       {},
       {"default/csp-old"},
       {}},
      {"foreign_reports_untouched",
       {"base={}"},
       {web},
       {web},
       [](std::vector<json>& reports) {
         reports.push_back(Foreign("default", "kyverno-pol"));
         reports.push_back(Foreign("default", "csp-other"));
       },
       {},
       {},
       {"default/csp-old"},
       {}},
      {"foreign_report_holding_our_name_blocked",
       {"base={}"},
       {web},
       {web},
       [](std::vector<json>& reports) {
         for (json& r : reports) {
           if (r["metadata"]["name"] == "csp-base") r = Foreign("default", "csp-base");
         }
       },
       {},
       {},
       {"default/csp-old"},
       {"default/csp-base"}},
      {"label_removed_makes_it_foreign",
       {"base={}"},
       {web},
       {web},
       [](std::vector<json>& reports) {
         for (json& r : reports) r["metadata"]["labels"].erase("app.kubernetes.io/managed-by");
       },
       {},
       {},
       {},
       {"default/csp-base"}},
  };
}

INSTANTIATE_TEST_SUITE_P(Cases, DiffTest, testing::ValuesIn(DiffCases()),
                         [](const auto& info) { return info.param.name; });

TEST(ContentDigestTest, IgnoresServerFieldsAndForeignLabels) {
  std::deque<policy::Policy> policies = {test::MakePolicy("base", "{}")};
  std::vector<report::PolicyReport> reports = DesiredReports(
      EntriesOf(policies, {MakeWorkload("Deployment", "web", GoodPodSpec())}), {}, kT1);
  ASSERT_EQ(reports.size(), 1u);
  json ours = report::ToJson(reports[0], names::ReportApi::kWgPolicyK8s);
  json served = json::parse(ours.dump());
  served["metadata"]["managedFields"] = json::array({{{"manager", "csp-operator"}}});
  served["metadata"]["creationTimestamp"] = "2026-03-01T00:00:00Z";
  served["metadata"]["labels"]["team"] = "a";
  EXPECT_EQ(ContentDigest(ours), ContentDigest(served));
  served["summary"]["pass"] = 0;
  EXPECT_NE(ContentDigest(ours), ContentDigest(served));
}

// OpenReports' top-level source is ours too: an edit of it is put back.
TEST(ContentDigestTest, CoversTheTopLevelSourceOfOpenReports) {
  std::deque<policy::Policy> policies = {test::MakePolicy("base", "{}")};
  std::vector<report::PolicyReport> reports = DesiredReports(
      EntriesOf(policies, {MakeWorkload("Deployment", "web", GoodPodSpec())}), {}, kT1);
  ASSERT_EQ(reports.size(), 1u);
  json ours = report::ToJson(reports[0], names::ReportApi::kOpenReports);
  json edited = ours;
  edited["source"] = "someone-else";
  EXPECT_NE(ContentDigest(ours), ContentDigest(edited));
  edited.erase("source");
  EXPECT_NE(ContentDigest(ours), ContentDigest(edited));
}

// The digest of the model is the digest of its JSON, in either API, escapes, properties, an
// empty message and uid, and every outcome included: DiffReports compares it with the digest
// of what the server holds.
TEST(ContentDigestTest, OfTheModelIsThatOfItsJson) {
  std::deque<policy::Policy> policies = {test::MakePolicy("base", "{}")};
  std::vector<report::PolicyReport> reports =
      DesiredReports(EntriesOf(policies, {MakeWorkload("Deployment", "web", GoodPodSpec()),
                                          MakeWorkload("Pod", "bad", BadPodSpec())}),
                     {}, kT1);
  ASSERT_EQ(reports.size(), 1u);
  report::PolicyReport r = reports[0];
  r.results[0].message = "quote \" backslash \\ tab \t control \x01 ünïcode";
  r.results[0].properties["exemption"] = "spec.exemptions[0]";
  r.results[1].message.clear();
  r.results[1].resource.uid.clear();
  r.results[2].outcome = policy::Outcome::kError;
  r.results[3].outcome = policy::Outcome::kSkip;
  r.results[4].timestamp = {.seconds = -5, .nanos = 999'999'999};
  r.summary.warn = 3;
  for (names::ReportApi api : {names::ReportApi::kWgPolicyK8s, names::ReportApi::kOpenReports}) {
    EXPECT_EQ(ContentDigest(r, api), ContentDigest(report::ToJson(r, api)));
    EXPECT_EQ(ContentDigest(r, api), ContentDigest(json::parse(report::ToJson(r, api).dump())));
  }
  EXPECT_NE(ContentDigest(r, names::ReportApi::kWgPolicyK8s),
            ContentDigest(r, names::ReportApi::kOpenReports));
  report::PolicyReport empty = r;
  empty.results.clear();
  EXPECT_EQ(ContentDigest(empty, names::ReportApi::kWgPolicyK8s),
            ContentDigest(report::ToJson(empty, names::ReportApi::kWgPolicyK8s)));
}

// ModelDigest covers every field ToJson writes: any one changed changes it.
TEST(ModelDigestTest, DiffersWhenAnyFieldDiffers) {
  std::deque<policy::Policy> policies = {test::MakePolicy("base", "{}")};
  std::vector<report::PolicyReport> reports = DesiredReports(
      EntriesOf(policies, {MakeWorkload("Deployment", "web", BadPodSpec())}), {}, kT1);
  ASSERT_EQ(reports.size(), 1u);
  const report::PolicyReport base = reports[0];
  EXPECT_EQ(ModelDigest(base), ModelDigest(reports[0]));
  std::vector<std::function<void(report::PolicyReport&)>> changes = {
      [](auto& r) { r.name += "x"; },
      [](auto& r) { r.ns += "x"; },
      [](auto& r) { r.policy += "x"; },
      [](auto& r) { ++r.summary.pass; },
      [](auto& r) { ++r.summary.fail; },
      [](auto& r) { ++r.summary.warn; },
      [](auto& r) { ++r.summary.error; },
      [](auto& r) { ++r.summary.skip; },
      [](auto& r) { r.results.pop_back(); },
      [](auto& r) { r.results[0].resource.api_version += "x"; },
      [](auto& r) { r.results[0].resource.kind += "x"; },
      [](auto& r) { r.results[0].resource.ns += "x"; },
      [](auto& r) { r.results[0].resource.name += "x"; },
      [](auto& r) { r.results[0].resource.uid += "x"; },
      [](auto& r) { r.results[0].resource.pod_template += "x"; },
      [](auto& r) { r.results[0].rule += "x"; },
      [](auto& r) { r.results[0].outcome = policy::Outcome::kSkip; },
      [](auto& r) { r.results[0].severity += "x"; },
      [](auto& r) { r.results[0].message += "x"; },
      [](auto& r) { r.results[0].properties["k"] = "v"; },
      [](auto& r) { ++r.results[0].timestamp.seconds; },
      [](auto& r) { ++r.results[0].timestamp.nanos; },
      // Field boundaries: "ab"+"c" is not "a"+"bc".
      [](auto& r) {
        r.results[0].rule += r.results[0].severity.substr(0, 1);
        r.results[0].severity.erase(0, 1);
      },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    report::PolicyReport changed = base;
    changes[i](changed);
    EXPECT_NE(ModelDigest(changed), ModelDigest(base)) << "change " << i;
  }
}

TEST(DesiredReportsTest, GroupsPerNamespaceAndPolicySorted) {
  std::deque<policy::Policy> policies = {test::MakePolicy("b", "{}"), test::MakePolicy("a", "{}")};
  std::vector<report::PolicyReport> reports = DesiredReports(
      EntriesOf(policies, {InNamespace(MakeWorkload("Deployment", "x", GoodPodSpec()), "zz"),
                           MakeWorkload("Deployment", "y", GoodPodSpec()),
                           MakeWorkload("Pod", "z", BadPodSpec())}),
      {}, kT1);
  std::vector<std::string> names;
  for (const report::PolicyReport& r : reports) names.push_back(r.ns + "/" + r.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"default/csp-a", "default/csp-b", "zz/csp-a", "zz/csp-b"}));
  EXPECT_EQ(reports[0].summary.fail, 1);
  EXPECT_EQ(reports[0].results.size(), 2 * policy::AllControls().size());  // 2 workloads
}

// Keys and content digests tell apart what the strings tell apart, field boundaries included.
TEST(ResultDigestTest, DiffersWhenAnyFieldDiffers) {
  const ResultKey key = MakeResultKey("ns", "p", "Deployment", "web", "rule");
  EXPECT_EQ(key, MakeResultKey("ns", "p", "Deployment", "web", "rule"));
  EXPECT_NE(key, MakeResultKey("ns", "p", "StatefulSet", "web", "rule"));
  EXPECT_NE(key, MakeResultKey("ns", "p", "Deployment", "web", "rule2"));
  EXPECT_NE(MakeResultKey("a", "bc", "k", "n", "r"), MakeResultKey("ab", "c", "k", "n", "r"));
  const std::map<std::string, std::string> props = {{"containers", "app"}};
  const std::uint64_t content = ResultContentDigest("u1", "fail", "m", props);
  EXPECT_EQ(content, ResultContentDigest("u1", "fail", "m", props));
  EXPECT_NE(content, ResultContentDigest("u2", "fail", "m", props));
  EXPECT_NE(content, ResultContentDigest("u1", "pass", "m", props));
  EXPECT_NE(content, ResultContentDigest("u1", "fail", "m2", props));
  EXPECT_NE(content, ResultContentDigest("u1", "fail", "m", {{"containers", "app,db"}}));
  EXPECT_NE(content, ResultContentDigest("u1", "fail", "m", {}));
}

TEST(IndexReportResultsTest, SkipsForeignReportsAndMalformedResults) {
  PreviousResults out;
  json foreign = Foreign("default", "x");
  foreign["results"] = json::array({{{"policy", "p"},
                                     {"rule", "r"},
                                     {"result", "pass"},
                                     {"resources", {{{"kind", "Pod"}, {"name", "a"}}}}}});
  IndexReportResults(foreign, out);
  EXPECT_TRUE(out.empty());
  json ours = foreign;
  ours["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "csp-operator";
  ours["results"].push_back("junk");
  ours["results"].push_back({{"policy", "p"}, {"rule", "r"}, {"resources", "junk"}});
  IndexReportResults(ours, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.begin()->first, MakeResultKey("default", "p", "Pod", "a", "r"));
}

TEST(PreviousResultsTest, StaySortedWithOneEntryPerKeyAndTheLaterValueWins) {
  auto at = [](std::uint64_t digest, std::int64_t seconds) {
    return std::pair(ResultKey{digest}, PreviousResult{.content = digest, .timestamp = {seconds}});
  };
  PreviousResults out = {at(2, 20), at(5, 50), at(9, 90)};
  MergePreviousResults(out, {at(1, 10), at(5, 55), at(7, 70)});
  ASSERT_EQ(out.size(), 5u);
  std::vector<std::uint64_t> keys;
  for (const auto& [key, value] : out) keys.push_back(key.digest);
  EXPECT_EQ(keys, (std::vector<std::uint64_t>{1, 2, 5, 7, 9}));
  ASSERT_NE(FindPreviousResult(out, ResultKey{5}), nullptr);
  EXPECT_EQ(FindPreviousResult(out, ResultKey{5})->timestamp.seconds, 55) << "the later one wins";
  EXPECT_EQ(FindPreviousResult(out, ResultKey{9})->timestamp.seconds, 90);
  EXPECT_EQ(FindPreviousResult(out, ResultKey{3}), nullptr);
  EXPECT_EQ(FindPreviousResult(PreviousResults{}, ResultKey{3}), nullptr);
  MergePreviousResults(out, {});
  EXPECT_EQ(out.size(), 5u);
}

TEST(PreviousResultsTest, AReportIndexedTwiceKeepsOneEntryPerResult) {
  json report = Foreign("default", "x");
  report["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "csp-operator";
  for (const char* name : {"c", "a", "b"}) {
    report["results"].push_back({{"policy", "p"},
                                 {"rule", "r"},
                                 {"result", "pass"},
                                 {"timestamp", {{"seconds", 1}}},
                                 {"resources", {{{"kind", "Pod"}, {"name", name}}}}});
  }
  PreviousResults out;
  IndexReportResults(report, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end(),
                             [](const auto& x, const auto& y) { return x.first < y.first; }));
  for (json& r : report["results"]) r["timestamp"]["seconds"] = 2;
  IndexReportResults(report, out);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& [key, value] : out) EXPECT_EQ(value.timestamp.seconds, 2);
  EXPECT_NE(FindPreviousResult(out, MakeResultKey("default", "p", "Pod", "b", "r")), nullptr);
}

}  // namespace
}  // namespace csp::controllers
