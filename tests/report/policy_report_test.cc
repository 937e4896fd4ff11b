#include "csp/report/policy_report.h"

#include <gtest/gtest.h>

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

TEST(PolicyReportTest, SplitsLargeReportsKeepingAWorkloadTogether) {
  std::vector<Entry> entries;
  for (int w = 0; w < 300; ++w) {
    for (const char* rule : {"disallow-privileged", "require-seccomp", "require-non-root"}) {
      entries.push_back(MakeTestEntry("Deployment", "w" + std::to_string(1000 + w), rule,
                                      Outcome::kFail, std::string(200, 'x')));
    }
  }
  const std::size_t max_bytes = 50 * 1024;
  std::vector<json> reports;
  for (const PolicyReport& r : BuildPolicyReports("big", "team-a", entries, max_bytes)) {
    reports.push_back(ToJson(r, names::ReportApi::kWgPolicyK8s));
  }
  ASSERT_GT(reports.size(), 1u);
  std::size_t total = 0;
  std::string previous_last;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i]["metadata"]["name"], "csp-big-" + std::to_string(i + 1));
    EXPECT_LE(reports[i]["results"].dump().size(), max_bytes);
    const json& results = reports[i]["results"];
    ASSERT_EQ(results.size() % 3, 0u) << "a workload's results were split across reports";
    EXPECT_EQ(reports[i]["summary"]["fail"], results.size());
    if (!previous_last.empty()) {
      EXPECT_LT(previous_last, results[0]["resources"][0]["name"].get<std::string>());
    }
    previous_last = results.back()["resources"][0]["name"];
    total += results.size();
  }
  EXPECT_EQ(total, entries.size());
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
