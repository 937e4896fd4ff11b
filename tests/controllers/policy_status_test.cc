// Policy status: counts, exemptions matched/expired, the Ready condition and when it is written.
#include "csp/controllers/policy_status.h"

#include <gtest/gtest.h>

#include <deque>

#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;
using test::BadPodSpec;
using test::GoodPodSpec;
using test::MakeWorkload;

// Exemption 0 covers "legacy-*" for privileged; 1 has expired (would cover everything);
// 2 matches nothing; 3 expires in the future and covers "db".
constexpr std::string_view kSpec = R"({"exemptions":[
  {"rules":["disallow-privileged"],"names":["legacy-*"],"reason":"vendor"},
  {"reason":"old","expires":"2026-01-01T00:00:00Z"},
  {"names":["nothing-*"],"reason":"stale"},
  {"rules":["disallow-privileged"],"names":["db"],"reason":"until summer",
   "expires":"2026-06-01T00:00:00Z"}]})";

// The deque's elements stay put when it moves, so evaluations may point into it.
struct Evaluated {
  std::deque<policy::Policy> policies = {};
  std::vector<Evaluation> evaluations = {};
};

Evaluated EvaluateAll(std::string_view spec, const std::vector<json>& workloads,
                      std::chrono::sys_seconds now = test::Now()) {
  Evaluated out{.policies = {test::MakePolicy("p", spec)}};
  for (const json& w : workloads) {
    for (Evaluation& e : test::MustEvaluate(out.policies, w, now)) out.evaluations.push_back(e);
  }
  return out;
}

TEST(PolicyStatusTest, CountsWorkloadsAndExemptions) {
  Evaluated ev = EvaluateAll(kSpec, {MakeWorkload("Deployment", "ok", GoodPodSpec()),
                                     MakeWorkload("Deployment", "bad", BadPodSpec()),
                                     MakeWorkload("Deployment", "legacy-a", BadPodSpec()),
                                     MakeWorkload("StatefulSet", "legacy-b", BadPodSpec()),
                                     MakeWorkload("Deployment", "db", BadPodSpec())});
  json status = BuildPolicyStatus({.generation = 4,
                                   .policy = &ev.policies[0],
                                   .evaluations = ev.evaluations,
                                   .now = test::Now()});
  EXPECT_EQ(status["observedGeneration"], 4);
  EXPECT_EQ(status["workloads"],
            json::parse(R"({"total":5,"passing":1,"failing":1,"exempted":3,"reverted":0})"));
  EXPECT_EQ(status["exemptions"], json::parse(R"([
      {"index":0,"matched":2,"expired":false},
      {"index":1,"matched":0,"expired":true},
      {"index":2,"matched":0,"expired":false},
      {"index":3,"matched":1,"expired":false}])"));
  ASSERT_EQ(status["conditions"].size(), 1u);
  const json& ready = status["conditions"][0];
  EXPECT_EQ(ready["type"], "Ready");
  EXPECT_EQ(ready["status"], "True");
  EXPECT_EQ(ready["reason"], "Reconciled");
  EXPECT_EQ(ready["observedGeneration"], 4);
  EXPECT_EQ(ready["lastTransitionTime"], "2026-03-01T12:00:00Z");
}

// With a preset, status names the level and where the policy's own fields depart from it.
TEST(PolicyStatusTest, PresetLevelAndDeviations) {
  Evaluated ev = EvaluateAll(
      R"({"podSecurityStandard":"baseline","controls":{"runAsNonRoot":{"enabled":true}}})",
      {MakeWorkload("Deployment", "ok", GoodPodSpec())});
  json status = BuildPolicyStatus(
      {.generation = 1, .policy = &ev.policies[0], .evaluations = ev.evaluations});
  EXPECT_EQ(status["podSecurityStandard"],
            json({{"level", "baseline"},
                  {"deviations", {"require-non-root: enabled is true (baseline: not checked)"}}}));
  Evaluated plain = EvaluateAll("{}", {});
  EXPECT_FALSE(BuildPolicyStatus({.policy = &plain.policies[0]}).contains("podSecurityStandard"));
}

// The operator tallies per namespace and merges: the status from merged tallies equals the
// status from all evaluations at once.
TEST(PolicyStatusTest, MergedTalliesGiveTheSameStatus) {
  Evaluated ev = EvaluateAll(kSpec, {MakeWorkload("Deployment", "ok", GoodPodSpec()),
                                     MakeWorkload("Deployment", "bad", BadPodSpec()),
                                     MakeWorkload("Deployment", "legacy-a", BadPodSpec()),
                                     MakeWorkload("StatefulSet", "legacy-b", BadPodSpec()),
                                     MakeWorkload("Deployment", "db", BadPodSpec())});
  PolicyTally first, second;
  for (std::size_t i = 0; i < ev.evaluations.size(); ++i) {
    (i < 2 ? first : second).Add(ev.evaluations[i]);
  }
  EXPECT_EQ(first.total, 2);
  EXPECT_EQ(second.total, 3);
  EXPECT_EQ(second.exemption_matched, (std::vector<std::int64_t>{2, 0, 0, 1}));
  PolicyTally merged = first;
  merged.Merge(second);
  EXPECT_FALSE(merged == first);
  const json from_tally = BuildPolicyStatus(
      {.generation = 4, .policy = &ev.policies[0], .tally = &merged, .now = test::Now()});
  const json from_evaluations = BuildPolicyStatus({.generation = 4,
                                                   .policy = &ev.policies[0],
                                                   .evaluations = ev.evaluations,
                                                   .now = test::Now()});
  EXPECT_EQ(from_tally, from_evaluations);
  // Every workload has one result per rule; the privileged rule fails once, is skipped by an
  // exemption three times and passes once.
  EXPECT_EQ((merged.rule_results[{"disallow-privileged", "fail"}]), 1);
  EXPECT_EQ((merged.rule_results[{"disallow-privileged", "skip"}]), 3);
  EXPECT_EQ((merged.rule_results[{"disallow-privileged", "pass"}]), 1);
}

TEST(PolicyStatusTest, ExemptionExpiresWithTimeAlone) {
  const auto later = std::chrono::sys_days(std::chrono::year(2026) / 7 / 1);
  Evaluated ev = EvaluateAll(kSpec, {MakeWorkload("Deployment", "db", BadPodSpec())}, later);
  json status = BuildPolicyStatus(
      {.generation = 1, .policy = &ev.policies[0], .evaluations = ev.evaluations, .now = later});
  EXPECT_EQ(status["exemptions"][3], json::parse(R"({"index":3,"matched":0,"expired":true})"));
  EXPECT_EQ(status["workloads"]["failing"], 1);
  EXPECT_EQ(status["workloads"]["exempted"], 0);
}

TEST(PolicyStatusTest, InvalidSpecIsNotReady) {
  json status =
      BuildPolicyStatus({.generation = 2,
                         .parse_error = "spec.action: must be one of Audit, Label, ScaleDown",
                         .now = test::Now()});
  EXPECT_EQ(status, json::parse(R"({"observedGeneration":2,"conditions":[{"type":"Ready",
      "status":"False","reason":"InvalidSpec","observedGeneration":2,
      "message":"spec.action: must be one of Audit, Label, ScaleDown",
      "lastTransitionTime":"2026-03-01T12:00:00Z"}]})"));
}

TEST(PolicyStatusTest, FailedNamespacesAreNamedAndCountsKept) {
  Evaluated ev = EvaluateAll(kSpec, {MakeWorkload("Deployment", "ok", GoodPodSpec())});
  const std::vector<std::string> one = {"shop"};
  json status = BuildPolicyStatus({.generation = 3,
                                   .policy = &ev.policies[0],
                                   .evaluations = ev.evaluations,
                                   .now = test::Now(),
                                   .failed_namespaces = one});
  EXPECT_EQ(status["workloads"]["total"], 1);
  const json& ready = status["conditions"][0];
  EXPECT_EQ(ready["status"], "False");
  EXPECT_EQ(ready["reason"], "ReconcileFailed");
  EXPECT_EQ(ready["message"],
            "evaluated 1 workloads; could not reconcile namespace shop (see the operator's log)");
  const std::vector<std::string> seven = {"a", "b", "c", "d", "e", "f", "g"};
  status = BuildPolicyStatus({.generation = 3,
                              .policy = &ev.policies[0],
                              .evaluations = ev.evaluations,
                              .now = test::Now(),
                              .failed_namespaces = seven});
  EXPECT_EQ(status["conditions"][0]["message"],
            "evaluated 1 workloads; could not reconcile namespaces a, b, c, d, e and 2 more (see "
            "the operator's log)");
  const std::vector<std::string> two = {"a", "b"};
  status = BuildPolicyStatus({.generation = 3,
                              .policy = &ev.policies[0],
                              .evaluations = ev.evaluations,
                              .now = test::Now(),
                              .failed_namespaces = two});
  EXPECT_EQ(status["conditions"][0]["message"],
            "evaluated 1 workloads; could not reconcile namespaces a and b (see the operator's "
            "log)");
}

struct TransitionCase {
  std::string name;
  bool previously_ready;
  bool now_ready;
  std::string want_time;
};

void PrintTo(const TransitionCase& c, std::ostream* os) { *os << c.name; }

class TransitionTest : public testing::TestWithParam<TransitionCase> {};

TEST_P(TransitionTest, LastTransitionTimeMovesOnlyOnAFlip) {
  const TransitionCase& c = GetParam();
  Evaluated ev = EvaluateAll("{}", {MakeWorkload("Deployment", "ok", GoodPodSpec())});
  auto build = [&](bool ready, std::chrono::sys_seconds now, const json* previous) {
    StatusInput in{.generation = 1, .now = now, .previous = previous};
    if (ready) {
      in.policy = &ev.policies[0];
      in.evaluations = ev.evaluations;
    } else {
      in.parse_error = "bad";
    }
    return BuildPolicyStatus(in);
  };
  const json before = build(c.previously_ready, test::Now(), nullptr);
  const json after = build(c.now_ready, test::Now() + std::chrono::hours(1), &before);
  EXPECT_EQ(after["conditions"][0]["lastTransitionTime"], c.want_time);
  EXPECT_EQ(StatusChanged(before, after), c.previously_ready != c.now_ready);
}

INSTANTIATE_TEST_SUITE_P(Cases, TransitionTest,
                         testing::ValuesIn(std::vector<TransitionCase>{
                             {"ready_stays_ready", true, true, "2026-03-01T12:00:00Z"},
                             {"invalid_stays_invalid", false, false, "2026-03-01T12:00:00Z"},
                             {"ready_to_invalid", true, false, "2026-03-01T13:00:00Z"},
                             {"invalid_to_ready", false, true, "2026-03-01T13:00:00Z"},
                         }),
                         [](const auto& info) { return info.param.name; });

TEST(StatusChangedTest, CountsAndGenerationAreChanges) {
  json a = json::parse(R"({"observedGeneration":1,"workloads":{"total":1},
      "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"x"}]})");
  json b = a;
  b["conditions"][0]["lastTransitionTime"] = "y";
  EXPECT_FALSE(StatusChanged(a, b));
  b["workloads"]["total"] = 2;
  EXPECT_TRUE(StatusChanged(a, b));
  json c = a;
  c["observedGeneration"] = 2;
  EXPECT_TRUE(StatusChanged(a, c));
  // As read back from the API server (unsigned numbers) it is the same status.
  EXPECT_FALSE(StatusChanged(json::parse(a.dump()), a));
  EXPECT_TRUE(StatusChanged(json(), a));
}

TEST(FormatTimeTest, Rfc3339) {
  EXPECT_EQ(FormatTime(std::chrono::sys_seconds{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(std::chrono::sys_days(std::chrono::year(2027) / 12 / 31) +
                       std::chrono::seconds(86399)),
            "2027-12-31T23:59:59Z");
}

}  // namespace
}  // namespace csp::controllers
