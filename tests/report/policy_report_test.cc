#include "csp/report/policy_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

namespace csp::report {
namespace {

using json = nlohmann::json;
using policy::Outcome;
constexpr names::ReportApi kWg = names::ReportApi::kWgPolicyK8s;

Entry MakeTestEntry(std::string kind, std::string name, std::string rule, Outcome outcome,
                    std::string message = "") {
  return Entry{.resource = {.api_version = "apps/v1",
                            .kind = std::move(kind),
                            .ns = "team-a",
                            .name = std::move(name),
                            .uid = "uid-1"},
               .rule = std::move(rule),
               .outcome = outcome,
               .severity = "high",
               .message = std::move(message),
               .timestamp = {.seconds = 1700000000, .nanos = 0}};
}

TEST(PolicyReportTest, BuildsOneReportWithSortedResultsAndSummary) {
  std::vector<Entry> entries = {
      MakeTestEntry("StatefulSet", "db", "require-seccomp", Outcome::kFail, "container \"db\": x"),
      MakeTestEntry("Deployment", "web", "require-seccomp", Outcome::kPass),
      MakeTestEntry("Deployment", "api", "require-non-root", Outcome::kSkip, "exempted"),
      MakeTestEntry("Deployment", "api", "disallow-privileged", Outcome::kFail,
                    "container \"a\": y"),
  };
  auto reports = BuildPolicyReports("baseline", "team-a", entries);
  ASSERT_EQ(reports.size(), 1u);
  const json r = ToJson(reports[0], names::ReportApi::kWgPolicyK8s);
  EXPECT_EQ(r["apiVersion"], "wgpolicyk8s.io/v1alpha2");
  EXPECT_EQ(r["kind"], "PolicyReport");
  EXPECT_EQ(r["metadata"]["name"], "csp-baseline");
  EXPECT_EQ(r["metadata"]["namespace"], "team-a");
  EXPECT_EQ(r["metadata"]["labels"]["app.kubernetes.io/managed-by"], "csp-operator");
  EXPECT_EQ(r["metadata"]["labels"]["containersecurity.dev/policy"], "baseline");
  EXPECT_EQ(r["summary"], (json{{"pass", 1}, {"fail", 2}, {"warn", 0}, {"error", 0}, {"skip", 1}}));
  ASSERT_EQ(r["results"].size(), 4u);
  // (kind, name, rule)
  EXPECT_EQ(r["results"][0]["resources"][0]["name"], "api");
  EXPECT_EQ(r["results"][0]["rule"], "disallow-privileged");
  EXPECT_EQ(r["results"][1]["rule"], "require-non-root");
  EXPECT_EQ(r["results"][2]["resources"][0]["name"], "web");
  EXPECT_EQ(r["results"][3]["resources"][0]["kind"], "StatefulSet");
}

TEST(PolicyReportTest, ResultCarriesEveryFieldOfTheContract) {
  Entry e = MakeTestEntry("Deployment", "api", "disallow-privileged", Outcome::kFail, "msg");
  e.properties["containers"] = "a,b";
  json r = ResultJson(e, "baseline");
  EXPECT_EQ(r["source"], "containersecurity");
  EXPECT_EQ(r["policy"], "baseline");
  EXPECT_EQ(r["rule"], "disallow-privileged");
  EXPECT_EQ(r["result"], "fail");
  EXPECT_EQ(r["severity"], "high");
  EXPECT_EQ(r["category"], "Pod Security");
  EXPECT_EQ(r["message"], "msg");
  EXPECT_EQ(r["timestamp"], (json{{"seconds", 1700000000}, {"nanos", 0}}));
  EXPECT_EQ(r["resources"], json::parse(R"([{"apiVersion":"apps/v1","kind":"Deployment",
      "namespace":"team-a","name":"api","uid":"uid-1"}])"));
  EXPECT_EQ(r["properties"], (json{{"containers", "a,b"}}));
}

TEST(PolicyReportTest, PassWithoutMessageOrPropertiesOmitsThem) {
  json r = ResultJson(MakeTestEntry("Deployment", "api", "disallow-privileged", Outcome::kPass),
                      "baseline");
  EXPECT_FALSE(r.contains("message"));
  EXPECT_FALSE(r.contains("properties"));
}

TEST(PolicyReportTest, MakeEntryNamesEachContainerOnceAndTheExemption) {
  policy::RuleResult result{.rule = "restrict-host-path",
                            .outcome = Outcome::kFail,
                            .severity = "high",
                            .message = "m",
                            .containers = {"app", "side", "app"}};
  Entry e = MakeEntry({.kind = "Pod", .name = "p"}, result, {});
  EXPECT_EQ(e.properties["containers"], "app,side");
  result.outcome = Outcome::kSkip;
  result.containers.clear();
  result.exemption = 2;
  EXPECT_EQ(MakeEntry({}, result, {}).properties["exemption"], "spec.exemptions[2]");
}

TEST(PolicyReportTest, MakeEntryListsNodesLackingAProfile) {
  policy::RuleResult result{.rule = "require-seccomp",
                            .outcome = Outcome::kFail,
                            .severity = "high",
                            .message = "m",
                            .containers = {"web"},
                            .nodes = {"n1", "n2"}};
  EXPECT_EQ(MakeEntry({}, result, {}).properties["missingNodes"], "n1,n2");
  result.nodes.clear();
  EXPECT_FALSE(MakeEntry({}, result, {}).properties.contains("missingNodes"));
}

// `workloads` Deployments "w1000"... of three results each, all failing with `message`.
std::vector<Entry> Workloads(int workloads, const std::string& message = std::string(200, 'x')) {
  std::vector<Entry> entries;
  for (int w = 0; w < workloads; ++w) {
    for (const char* rule : {"disallow-privileged", "require-seccomp", "require-non-root"}) {
      entries.push_back(MakeTestEntry("Deployment", "w" + std::to_string(1000 + w), rule,
                                      Outcome::kFail, message));
    }
  }
  return entries;
}

// Report name -> its JSON.
std::map<std::string, json> ByName(const std::vector<PolicyReport>& reports) {
  std::map<std::string, json> out;
  for (const PolicyReport& r : reports) out[r.name] = ToJson(r, kWg);
  return out;
}

// Checks what every split keeps: each workload's results in one report, sorted within it,
// summaries that count them, nothing lost. Returns workload name -> report name.
std::map<std::string, std::string> CheckSplit(const std::vector<PolicyReport>& reports,
                                              std::size_t entries) {
  std::map<std::string, std::string> report_of;
  std::size_t total = 0;
  for (const PolicyReport& r : reports) {
    const json j = ToJson(r, kWg);
    EXPECT_EQ(j["summary"]["fail"], j["results"].size()) << r.name;
    std::string previous;
    for (const json& result : j["results"]) {
      const std::string name = result["resources"][0]["name"];
      EXPECT_LE(previous, name) << r.name << ": results not sorted";
      previous = name;
      auto [it, inserted] = report_of.emplace(name, r.name);
      EXPECT_TRUE(inserted || it->second == r.name) << name << " is in two reports";
    }
    total += j["results"].size();
  }
  EXPECT_EQ(total, entries) << "results lost or added";
  return report_of;
}

TEST(PolicyReportTest, UpToWorkloadsPerPartIsOneReport) {
  const auto reports = BuildPolicyReports("big", "team-a", Workloads(32));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].name, "csp-big");
  CheckSplit(reports, 96);
}

TEST(PolicyReportTest, MoreWorkloadsGoToAPowerOfTwoOfPartsByTheirHash) {
  // 300 workloads at 32 a part: 16 parts (the smallest power of two of at least 300 / 32).
  const std::vector<Entry> entries = Workloads(300);
  const auto reports = BuildPolicyReports("big", "team-a", entries);
  const auto report_of = CheckSplit(reports, entries.size());
  EXPECT_GT(reports.size(), 10u);
  EXPECT_LE(reports.size(), 16u);
  for (const PolicyReport& r : reports) {
    ASSERT_TRUE(r.name.starts_with("csp-big-")) << r.name;
    const int part = std::stoi(r.name.substr(8));
    EXPECT_GE(part, 1);
    EXPECT_LE(part, 16);
    EXPECT_LT(r.results.size(), 3u * 64) << r.name << ": far more than 32 workloads";
  }
  // The part is the workload's own: the same with 299 others, or in another order.
  std::vector<Entry> fewer = Workloads(290);
  std::reverse(fewer.begin(), fewer.end());
  for (const auto& [workload, name] : CheckSplit(BuildPolicyReports("big", "team-a", fewer), 870)) {
    EXPECT_EQ(name, report_of.at(workload)) << workload << " moved";
  }
}

TEST(PolicyReportTest, AChangedWorkloadRewritesOnlyItsPart) {
  std::vector<Entry> entries = Workloads(106);
  const auto before = ByName(BuildPolicyReports("big", "team-a", entries));
  ASSERT_GT(before.size(), 1u);
  for (Entry& e : entries) {
    if (e.resource.name == "w1042") {
      e.outcome = Outcome::kPass;
      e.message = "fixed, and a message of another length";
    }
  }
  const auto after = ByName(BuildPolicyReports("big", "team-a", entries));
  ASSERT_EQ(after.size(), before.size());
  int changed = 0;
  for (const auto& [name, report] : after) {
    ASSERT_TRUE(before.contains(name)) << name;
    if (before.at(name) != report) ++changed;
  }
  EXPECT_EQ(changed, 1);
}

TEST(PolicyReportTest, PartsDoubleUntilNoneIsOverMaxBytesAndAWorkloadStaysWhole) {
  const std::vector<Entry> entries = Workloads(300);
  const ReportSplit split{.workloads_per_part = 1000, .max_bytes = 50 * 1024};
  const auto reports = BuildPolicyReports("big", "team-a", entries, split);
  CheckSplit(reports, entries.size());
  ASSERT_GT(reports.size(), 1u);
  for (const PolicyReport& r : reports) {
    EXPECT_LE(ToJson(r, kWg)["results"].dump().size(), split.max_bytes) << r.name;
  }
  // One workload bigger than max_bytes on its own is not split.
  const auto huge = BuildPolicyReports("big", "team-a", Workloads(1, std::string(60 * 1024, 'y')),
                                       {.workloads_per_part = 1, .max_bytes = 50 * 1024});
  ASSERT_EQ(huge.size(), 1u);
  EXPECT_EQ(huge[0].results.size(), 3u);
}

TEST(PolicyReportTest, AppendJsonPrintsWhatDumpPrints) {
  std::vector<Entry> entries = {
      MakeTestEntry("Deployment", "api", "disallow-privileged", Outcome::kFail,
                    "container \"a\\b\": tab\there, newline\n, bell\a, caf\u00e9 \U0001F600"),
      MakeTestEntry("Deployment", "api", "require-seccomp", Outcome::kPass),
      MakeTestEntry("Pod", "p", "require-non-root", Outcome::kError, "registry unreachable"),
  };
  entries[0].properties = {{"containers", "a,b"}, {"exemption", "spec.exemptions[0]"}};
  entries[1].resource.uid.clear();
  for (const PolicyReport& r : BuildPolicyReports("baseline", "team-a", entries)) {
    for (int indent : {-1, 0, 2, 4}) {
      std::string text;
      AppendJson(r, kWg, indent, 0, text);
      EXPECT_EQ(text, ToJson(r, kWg).dump(indent)) << "indent " << indent;
    }
    std::string nested;
    AppendJson(r, kWg, 2, 2, nested);
    std::string want = ToJson(r, kWg).dump(2);
    std::string reindented;
    for (char c : want) {
      reindented += c;
      if (c == '\n') reindented += "    ";
    }
    EXPECT_EQ(nested, reindented);
  }
  PolicyReport empty{.name = "csp-x", .ns = "n", .policy = "x"};
  std::string text;
  AppendJson(empty, kWg, 2, 0, text);
  EXPECT_EQ(text, ToJson(empty, kWg).dump(2));
}

TEST(PolicyReportTest, NoEntriesNoReport) {
  EXPECT_TRUE(BuildPolicyReports("p", "ns", {}).empty());
}

TEST(PolicyReportTest, ReportNames) {
  EXPECT_EQ(ReportName("baseline", 1, 1), "csp-baseline");
  EXPECT_EQ(ReportName("baseline", 2, 3), "csp-baseline-2");
}

}  // namespace
}  // namespace csp::report
