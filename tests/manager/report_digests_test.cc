// ReportDigests: the memo gives ContentDigest for every report, the memoized one only while the
// report's model is unchanged, and holds only the reports last desired in a namespace.
#include "csp/manager/report_digests.h"

#include <gtest/gtest.h>

#include "csp/controllers/desired_reports.h"

namespace csp::manager {
namespace {

constexpr names::ReportApi kWg = names::ReportApi::kWgPolicyK8s;
constexpr names::ReportApi kOpen = names::ReportApi::kOpenReports;

report::PolicyReport MakeReport(const std::string& ns, const std::string& name,
                                const std::string& message) {
  report::Entry e{.resource = {.api_version = "apps/v1",
                               .kind = "Deployment",
                               .ns = ns,
                               .name = "web",
                               .uid = "u1"},
                  .rule = "disallow-privileged",
                  .outcome = policy::Outcome::kFail,
                  .severity = "high",
                  .message = message,
                  .timestamp = {.seconds = 1000}};
  return {.name = name, .ns = ns, .policy = "base", .summary = {.fail = 1}, .results = {e}};
}

std::vector<std::uint64_t> Fresh(names::ReportApi api,
                                 const std::vector<report::PolicyReport>& reports) {
  std::vector<std::uint64_t> out;
  for (const report::PolicyReport& r : reports) out.push_back(controllers::ContentDigest(r, api));
  return out;
}

TEST(ReportDigestsTest, EqualToContentDigestAcrossChanges) {
  ReportDigests memo;
  std::vector<report::PolicyReport> reports = {MakeReport("a", "csp-base-1", "x"),
                                               MakeReport("a", "csp-base-2", "y")};
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));  // memoized
  // Every kind of change: a message, a timestamp, an outcome, a property, the summary.
  reports[0].results[0].message = "z";
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
  reports[1].results[0].timestamp.nanos = 1;
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
  reports[1].results[0].outcome = policy::Outcome::kPass;
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
  reports[0].results[0].properties["containers"] = "app";
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
  reports[0].summary.pass = 7;
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
  // The same models in the other API: digests of that API, not the memo of the first.
  EXPECT_EQ(memo.Of(kOpen, "a", reports), Fresh(kOpen, reports));
  EXPECT_NE(Fresh(kOpen, reports), Fresh(kWg, reports));
  EXPECT_EQ(memo.Of(kWg, "a", reports), Fresh(kWg, reports));
}

TEST(ReportDigestsTest, HoldsOnlyTheReportsLastDesired) {
  ReportDigests memo;
  memo.Of(kWg, "a",
          std::vector{MakeReport("a", "csp-base-1", "x"), MakeReport("a", "csp-base-2", "x")});
  memo.Of(kWg, "b", std::vector{MakeReport("b", "csp-base", "x")});
  memo.Of(kOpen, "a", std::vector{MakeReport("a", "csp-base", "x")});
  EXPECT_EQ(memo.size(), 4u);
  memo.Of(kWg, "a", std::vector{MakeReport("a", "csp-base", "x")});  // no longer split
  EXPECT_EQ(memo.size(), 3u);
  memo.Of(kWg, "b", {});  // no report left (the namespace or its policy went away)
  memo.Of(kOpen, "a", {});
  EXPECT_EQ(memo.size(), 1u);
}

}  // namespace
}  // namespace csp::manager
