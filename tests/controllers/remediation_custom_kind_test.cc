// Remediation of custom workload kinds (api.md "WorkloadKind"): ScaleDown through /scale
// (RemediationInputs::scale_replicas -> RemediationPlan::scale_to, the record on the object),
// and labels only for a kind without /scale, even one named as a built-in kind.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "csp/controllers/remediation_plan.h"
#include "csp/names/names.h"
#include "csp/policy/workload_kind.h"
#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;

policy::WorkloadKind Rollouts() {
  return {.name = "rollouts.argoproj.io",
          .group = "argoproj.io",
          .version = "v1alpha1",
          .kind = "Rollout",
          .resource = "rollouts",
          .pod_template_paths = {"spec.template"},
          .scale_down = policy::ScaleDownMode::kScaleSubresource};
}

policy::WorkloadKind KruiseStatefulSets() {
  return {.name = "statefulsets.apps.kruise.io",
          .group = "apps.kruise.io",
          .version = "v1beta1",
          .kind = "StatefulSet",
          .pod_template_paths = {"spec.template"}};
}

json Object(const policy::WorkloadKind& kind, const json& pod_spec,
            const json& metadata_extra = json::object()) {
  json o = {{"apiVersion", kind.ApiVersion()},
            {"kind", kind.kind},
            {"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "u-1"}}},
            {"spec",
             {{"replicas", 3},
              {"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template", {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", pod_spec}}}}}};
  o["metadata"].update(metadata_extra);
  return o;
}

std::vector<Evaluation> Evaluate(const std::deque<policy::Policy>& policies, const json& object,
                                 const policy::WorkloadKind& kind) {
  const policy::WorkloadKind kinds[] = {kind};
  auto workloads = policy::AsCustomWorkloads(object, kinds, "default");
  EXPECT_TRUE(workloads && workloads->has_value()) << object.dump();
  std::vector<Evaluation> out;
  if (!workloads || !workloads->has_value()) return out;
  for (const policy::Workload& w : **workloads) {
    for (const policy::Policy& p : policies) {
      auto e = EvaluateWorkload(std::span(&p, 1), w, nullptr, {.now = test::Now()});
      EXPECT_TRUE(e) << e.error().message;
      if (e) out.insert(out.end(), e->begin(), e->end());
    }
  }
  return out;
}

std::deque<policy::Policy> ScaleDownPolicy() {
  return {test::MakePolicy("strict", R"({"action":"ScaleDown"})")};
}

std::string From(const json& patch) {
  return patch["metadata"]["annotations"].value(std::string(names::kScaledDownFromAnnotation), "");
}

TEST(CustomKindRemediationTest, ScaleDownGoesThroughScaleAndRecordsOnTheObject) {
  const auto policies = ScaleDownPolicy();
  const json rollout = Object(Rollouts(), test::BadPodSpec());
  const auto evaluations = Evaluate(policies, rollout, Rollouts());
  const RemediationPlan plan =
      PlanRemediation(rollout, evaluations, {.scale_replicas = std::int64_t{3}});
  ASSERT_TRUE(plan.scale_to.has_value());
  EXPECT_EQ(*plan.scale_to, 0);
  ASSERT_TRUE(plan.patch.has_value());
  EXPECT_FALSE(plan.patch->contains("spec")) << "the count goes to /scale: " << plan.patch->dump();
  EXPECT_EQ(From(*plan.patch), "3");
  EXPECT_EQ(plan.remediation, "scaled-down from 3 replicas");
  EXPECT_FALSE(PatchToSend(plan, "42")["metadata"].contains("resourceVersion"))
      << "a record-only patch applies to any version";
}

TEST(CustomKindRemediationTest, ScaledDownRolloutIsRestoredThroughScaleWhenItComplies) {
  const auto policies = ScaleDownPolicy();
  json ours = {{"annotations", {{std::string(names::kScaledDownFromAnnotation), "3"}}},
               {"labels", {{std::string(names::kCompliantLabel), "false"}}}};
  ours["annotations"][std::string(names::kViolationsAnnotation)] = "disallow-privileged";
  const json rollout = Object(Rollouts(), test::GoodPodSpec(), ours);
  const RemediationPlan plan = PlanRemediation(rollout, Evaluate(policies, rollout, Rollouts()),
                                               {.scale_replicas = std::int64_t{0}});
  ASSERT_TRUE(plan.scale_to.has_value());
  EXPECT_EQ(*plan.scale_to, 3);
  ASSERT_TRUE(plan.patch.has_value());
  EXPECT_TRUE(
      (*plan.patch)["metadata"]["annotations"][std::string(names::kScaledDownFromAnnotation)]
          .is_null())
      << plan.patch->dump();
  EXPECT_EQ((*plan.patch)["metadata"]["labels"][std::string(names::kCompliantLabel)], "true");
}

TEST(CustomKindRemediationTest, ScaledDownRolloutAtZeroNeedsNothingMore) {
  const auto policies = ScaleDownPolicy();
  json ours = {{"annotations", {{std::string(names::kScaledDownFromAnnotation), "3"}}},
               {"labels", {{std::string(names::kCompliantLabel), "false"}}}};
  ours["annotations"][std::string(names::kViolationsAnnotation)] = "disallow-privileged";
  const json rollout = Object(Rollouts(), test::BadPodSpec(), ours);
  const RemediationPlan plan = PlanRemediation(rollout, Evaluate(policies, rollout, Rollouts()),
                                               {.scale_replicas = std::int64_t{0}});
  EXPECT_FALSE(plan.scale_to.has_value());
  EXPECT_FALSE(plan.patch.has_value()) << plan.patch->dump();
  EXPECT_EQ(plan.remediation, "scaled-down from 3 replicas");
}

TEST(CustomKindRemediationTest, KindWithoutScaleIsLabeledOnlyEvenWhenNamedAsABuiltInKind) {
  const auto policies = ScaleDownPolicy();
  const json sts = Object(KruiseStatefulSets(), test::BadPodSpec());
  const RemediationPlan plan =
      PlanRemediation(sts, Evaluate(policies, sts, KruiseStatefulSets()), {});
  EXPECT_FALSE(plan.scale_to.has_value());
  ASSERT_TRUE(plan.patch.has_value());
  EXPECT_FALSE(plan.patch->contains("spec"))
      << "apps.kruise.io is not apps: " << plan.patch->dump();
  EXPECT_EQ((*plan.patch)["metadata"]["labels"][std::string(names::kCompliantLabel)], "false");
  EXPECT_EQ(plan.remediation, "labeled");
}

TEST(CustomKindRemediationTest, EveryTemplateHasItsOwnEntriesNamingIt) {
  const policy::WorkloadKind jobs{.name = "pytorchjobs.kubeflow.org",
                                  .group = "kubeflow.org",
                                  .version = "v1",
                                  .kind = "PyTorchJob",
                                  .pod_template_paths = {"spec.pytorchReplicaSpecs.*.template"}};
  const json job = {{"apiVersion", "kubeflow.org/v1"},
                    {"kind", "PyTorchJob"},
                    {"metadata", {{"name", "train"}, {"namespace", "default"}}},
                    {"spec",
                     {{"pytorchReplicaSpecs",
                       {{"Master", {{"template", {{"spec", test::GoodPodSpec()}}}}},
                        {"Worker", {{"template", {{"spec", test::BadPodSpec()}}}}}}}}}};
  const auto policies = ScaleDownPolicy();
  const auto evaluations = Evaluate(policies, job, jobs);
  ASSERT_EQ(evaluations.size(), 2u);
  const RemediationPlan plan = PlanRemediation(job, evaluations, {});
  EXPECT_EQ(plan.violations, std::vector<std::string>{"disallow-privileged"});
  std::map<std::string, std::string> privileged;  // template -> result
  for (const Evaluation& e : evaluations) {
    for (const PolicyEntry& pe : ToEntries(e, &plan)) {
      if (pe.entry.rule != "disallow-privileged") continue;
      privileged[pe.entry.properties.at(std::string(report::kPodTemplateProperty))] =
          std::string(policy::OutcomeName(pe.entry.outcome));
    }
  }
  EXPECT_EQ(privileged,
            (std::map<std::string, std::string>{{"Master", "pass"}, {"Worker", "fail"}}));
}

}  // namespace
}  // namespace csp::controllers
