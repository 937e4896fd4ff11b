// What discovery says of a declared kind, and the WorkloadKind status written from it.
#include "csp/controllers/workload_kind_status.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;

policy::WorkloadKind Rollouts(std::string resource = "") {
  return {.group = "argoproj.io",
          .version = "v1alpha1",
          .kind = "Rollout",
          .resource = std::move(resource),
          .pod_template_paths = {"spec.template"}};
}

// As GET /apis/argoproj.io/v1alpha1 answers with the Argo Rollouts CRDs installed.
json ArgoResources(bool with_scale) {
  json resources = json::array({
      {{"name", "analysisruns"}, {"namespaced", true}, {"kind", "AnalysisRun"}},
      {{"name", "rollouts"}, {"namespaced", true}, {"kind", "Rollout"}},
      {{"name", "rollouts/status"}, {"namespaced", true}, {"kind", "Rollout"}},
  });
  if (with_scale) {
    resources.push_back({{"name", "rollouts/scale"}, {"namespaced", true}, {"kind", "Scale"}});
  }
  return {{"kind", "APIResourceList"},
          {"groupVersion", "argoproj.io/v1alpha1"},
          {"resources", resources}};
}

TEST(FindInDiscoveryTest, FindsTheResourceAndItsScaleSubresource) {
  const auto found = FindInDiscovery(ArgoResources(true), Rollouts());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, (DiscoveredKind{.resource = "rollouts", .namespaced = true, .scale = true}));
  const auto without = FindInDiscovery(ArgoResources(false), Rollouts());
  ASSERT_TRUE(without.has_value());
  EXPECT_FALSE(without->scale);
}

TEST(FindInDiscoveryTest, AKindNotServedOrAnotherResourceNameIsNotFound) {
  policy::WorkloadKind other = Rollouts();
  other.kind = "Experiment";
  EXPECT_FALSE(FindInDiscovery(ArgoResources(true), other).has_value());
  EXPECT_FALSE(FindInDiscovery(ArgoResources(true), Rollouts("ro")).has_value());
  EXPECT_TRUE(FindInDiscovery(ArgoResources(true), Rollouts("rollouts")).has_value());
  EXPECT_FALSE(FindInDiscovery(json::object(), Rollouts()).has_value());
  EXPECT_FALSE(FindInDiscovery(json("not a list"), Rollouts()).has_value());
}

const json& Ready(const json& status) { return status["conditions"][0]; }

TEST(WorkloadKindStatusTest, EachStateHasItsConditionAndReason) {
  const DiscoveredKind rollouts{.resource = "rollouts", .scale = true};
  const json watching = WorkloadKindStatus(
      {.state = KindState::kWatching, .discovered = rollouts, .generation = 2, .now = test::Now()});
  EXPECT_EQ(Ready(watching)["status"], "True");
  EXPECT_EQ(Ready(watching)["reason"], "Watching");
  EXPECT_EQ(watching["resource"], "rollouts");
  EXPECT_EQ(watching["scaleSubresource"], true);
  EXPECT_EQ(watching["observedGeneration"], 2);

  const json missing = WorkloadKindStatus({.state = KindState::kNotInstalled,
                                           .message = "no Rollout in argoproj.io/v1alpha1",
                                           .now = test::Now()});
  EXPECT_EQ(Ready(missing)["status"], "False");
  EXPECT_EQ(Ready(missing)["reason"], "NotInstalled");
  EXPECT_EQ(Ready(missing)["message"], "no Rollout in argoproj.io/v1alpha1");
  EXPECT_FALSE(missing.contains("resource"));

  EXPECT_EQ(Ready(WorkloadKindStatus({.state = KindState::kInvalidSpec}))["reason"], "InvalidSpec");
  EXPECT_EQ(Ready(WorkloadKindStatus({.state = KindState::kForbidden}))["reason"], "Forbidden");
  EXPECT_EQ(Ready(WorkloadKindStatus({.state = KindState::kListing}))["status"], "Unknown");
}

TEST(WorkloadKindStatusTest, TheSameStateLaterIsTheSameStatus) {
  const DiscoveredKind rollouts{.resource = "rollouts"};
  const json first = WorkloadKindStatus(
      {.state = KindState::kWatching, .discovered = rollouts, .now = test::Now()});
  const json later = WorkloadKindStatus({.state = KindState::kWatching,
                                         .discovered = rollouts,
                                         .previous = &first,
                                         .now = test::Now() + std::chrono::hours(1)});
  EXPECT_EQ(later, first) << "nothing to write";
  const json broken = WorkloadKindStatus({.state = KindState::kNotInstalled,
                                          .previous = &first,
                                          .now = test::Now() + std::chrono::hours(1)});
  EXPECT_NE(Ready(broken)["lastTransitionTime"], Ready(first)["lastTransitionTime"]);
}

}  // namespace
}  // namespace csp::controllers
