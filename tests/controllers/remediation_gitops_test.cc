// The remediation planner around GitOps owners and Isolate: the managedBy property, revert
// detection and the stop record, Flux's reconcile switch, and the Isolate NetworkPolicy.
#include <gtest/gtest.h>

#include <deque>

#include "csp/controllers/remediation_plan.h"
#include "csp/names/names.h"
#include "test_util.h"

namespace csp::controllers {
namespace {

using json = nlohmann::json;
using test::BadPodSpec;
using test::GoodPodSpec;
using test::MakeWorkload;

constexpr std::string_view kScaleDown = R"({"action":"ScaleDown"})";
constexpr std::string_view kScaleDownFlux =
    R"({"action":"ScaleDown","remediation":{"suspendFlux":true}})";
constexpr std::string_view kIsolate = R"({"action":"Isolate"})";
constexpr std::string_view kLabel = R"({"action":"Label"})";
constexpr std::string_view kLabelIsolatePrivileged =
    R"({"action":"Label","controls":{"privileged":{"action":"Isolate"}}})";

const std::string kFrom(names::kScaledDownFromAnnotation);
const std::string kStop(names::kRemediationRevertedAnnotation);
const std::string kIsolated(names::kIsolatedAnnotation);
const std::string kFlux(names::kFluxReconcileAnnotation);
const std::string kFluxOurs(names::kFluxReconcileDisabledAnnotation);

RemediationPlan Plan(std::string_view spec, const json& object,
                     const RemediationInputs& inputs = {}) {
  std::deque<policy::Policy> policies = {test::MakePolicy("p", spec)};
  return PlanRemediation(object, test::MustEvaluate(policies, object), inputs);
}

// Applies the plan's patch to `object`; returns the plan.
RemediationPlan Step(std::string_view spec, json& object, const RemediationInputs& inputs = {}) {
  RemediationPlan plan = Plan(spec, object, inputs);
  if (plan.patch) object.merge_patch(*plan.patch);
  return plan;
}

std::vector<std::string> Reasons(const RemediationPlan& plan) {
  std::vector<std::string> out;
  for (const Event& e : plan.events) out.push_back(e.reason);
  return out;
}

json Deployment(const json& pod_spec, int replicas = 3) {
  return MakeWorkload("Deployment", "web", pod_spec,
                      {{"replicas", replicas}, {"selector", {{"matchLabels", {{"app", "web"}}}}}},
                      {{"labels", {{"app.kubernetes.io/instance", "shop"}}}});
}

TEST(ManagedByTest, EveryResultNamesTheGitOpsOwner) {
  std::deque<policy::Policy> policies = {test::MakePolicy("p", kLabel)};
  const json object = Deployment(BadPodSpec());
  const auto evaluations = test::MustEvaluate(policies, object);
  const RemediationPlan plan = PlanRemediation(object, evaluations);
  EXPECT_EQ(plan.managed_by, "argocd/shop");
  const auto entries = ToEntries(evaluations[0], &plan);
  ASSERT_FALSE(entries.empty());
  for (const PolicyEntry& pe : entries) {
    EXPECT_EQ(pe.entry.properties.at("managedBy"), "argocd/shop") << pe.entry.rule;
  }
  const RemediationPlan cleared =
      PlanRemediation(object, evaluations, {.argocd_instance_label = ""});
  EXPECT_EQ(cleared.managed_by, "");
}

TEST(RevertTest, ScaleUpWhileDownIsARevertOfReplicas) {
  json object = Deployment(BadPodSpec());
  RemediationPlan first = Step(kScaleDown, object);
  EXPECT_FALSE(first.revert) << "the first scale-down puts nothing back";
  object["spec"]["replicas"] = 3;  // the GitOps controller puts Git's value back
  RemediationPlan again = Plan(kScaleDown, object);
  ASSERT_TRUE(again.revert);
  EXPECT_EQ(again.revert->path, (std::vector<std::string>{"spec", "replicas"}));
  ASSERT_TRUE(again.patch);
  EXPECT_EQ((*again.patch)["spec"]["replicas"], 0);
}

TEST(RevertTest, SuspendAndQuarantineRevertsAreSeen) {
  json job = MakeWorkload("CronJob", "nightly", BadPodSpec());
  Step(kScaleDown, job);
  job["spec"]["suspend"] = false;
  ASSERT_TRUE(Plan(kScaleDown, job).revert);
  EXPECT_EQ(Plan(kScaleDown, job).revert->path, (std::vector<std::string>{"spec", "suspend"}));

  json ds = MakeWorkload("DaemonSet", "agent", BadPodSpec());
  Step(kScaleDown, ds);
  ds["spec"]["template"]["spec"].erase("nodeSelector");
  ASSERT_TRUE(Plan(kScaleDown, ds).revert);
  EXPECT_EQ(Plan(kScaleDown, ds).revert->path.back(), std::string(names::kQuarantineKey));
}

TEST(RevertTest, StopIsRecordedAndHoldsUntilThePodTemplateChanges) {
  json object = Deployment(BadPodSpec());
  Step(kScaleDown, object);
  object["spec"]["replicas"] = 3;
  const Revert revert{.path = {"spec", "replicas"}, .manager = "argocd-controller"};
  RemediationPlan stop = Step(kScaleDown, object, {.stop = revert});
  EXPECT_EQ(stop.reverted_by, "argocd-controller");
  EXPECT_EQ(stop.remediation, "reverted by argocd-controller");
  EXPECT_EQ(Reasons(stop), (std::vector<std::string>{"RemediationReverted"}));
  ASSERT_TRUE(stop.patch);
  EXPECT_EQ(*stop.patch,
            (json{{"metadata",
                   {{"annotations", {{kStop, PodTemplateHash(object) + " argocd-controller"}}}}}}))
      << stop.patch->dump();
  EXPECT_EQ(object["spec"]["replicas"], 3);

  // Held: replicas stay where the GitOps controller put them, nothing is planned.
  RemediationPlan held = Plan(kScaleDown, object);
  EXPECT_FALSE(held.patch) << held.patch->dump();
  EXPECT_EQ(held.remediation, "reverted by argocd-controller");
  EXPECT_FALSE(held.revert);
  EXPECT_TRUE(held.events.empty());

  // A new pod template (still violating): the record goes and the remediation applies again.
  object["spec"]["template"]["spec"]["hostname"] = "v2";
  RemediationPlan resumed = Step(kScaleDown, object);
  EXPECT_EQ(Reasons(resumed), (std::vector<std::string>{"RemediationResumed", "ScaledDown"}));
  EXPECT_EQ(object["spec"]["replicas"], 0);
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kStop));
}

TEST(RevertTest, FixedManifestClearsTheStopAndLabelsCompliant) {
  json object = Deployment(BadPodSpec());
  Step(kScaleDown, object);
  object["spec"]["replicas"] = 3;
  Step(kScaleDown, object, {.stop = Revert{.path = {"spec", "replicas"}, .manager = "flux"}});
  object["spec"]["template"]["spec"] = GoodPodSpec();  // Git fixed
  RemediationPlan fixed = Step(kScaleDown, object);
  EXPECT_EQ(fixed.remediation, "");
  EXPECT_EQ(object["metadata"]["labels"][std::string(names::kCompliantLabel)], "true");
  EXPECT_EQ(object["spec"]["replicas"], 3) << "the GitOps value stays";
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kStop));
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kFrom));
  EXPECT_FALSE(Plan(kScaleDown, object).patch);
}

TEST(PodTemplateHashTest, IgnoresTheQuarantineKeyOnly) {
  json ds = MakeWorkload("DaemonSet", "agent", BadPodSpec());
  const std::string before = PodTemplateHash(ds);
  ds["spec"]["template"]["spec"]["nodeSelector"][std::string(names::kQuarantineKey)] = "true";
  EXPECT_EQ(PodTemplateHash(ds), before);
  ds["spec"]["template"]["spec"]["nodeSelector"]["disk"] = "ssd";
  EXPECT_NE(PodTemplateHash(ds), before);
  EXPECT_EQ(PodTemplateHash(ds).size(), 16u);
}

json FluxDeployment(const json& pod_spec) {
  return MakeWorkload("Deployment", "web", pod_spec, {{"replicas", 2}},
                      {{"labels",
                        {{"kustomize.toolkit.fluxcd.io/name", "apps"},
                         {"kustomize.toolkit.fluxcd.io/namespace", "flux-system"}}}});
}

TEST(FluxSuspendTest, DisabledWhileScaledDownAndRestored) {
  json object = FluxDeployment(BadPodSpec());
  RemediationPlan down = Step(kScaleDownFlux, object);
  EXPECT_EQ(object["metadata"]["annotations"][kFlux], "disabled");
  EXPECT_EQ(object["metadata"]["annotations"][kFluxOurs], "true");
  EXPECT_EQ(Reasons(down),
            (std::vector<std::string>{"Labeled", "ScaledDown", "FluxReconcileDisabled"}));
  EXPECT_FALSE(Plan(kScaleDownFlux, object).patch);
  object["spec"]["template"]["spec"] = GoodPodSpec();
  RemediationPlan up = Step(kScaleDownFlux, object);
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kFlux));
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kFluxOurs));
  EXPECT_EQ(object["spec"]["replicas"], 2);
  EXPECT_EQ(Reasons(up),
            (std::vector<std::string>{"Labeled", "Restored", "FluxReconcileRestored"}));
}

// docs/remediation.md: a user who hands the object back to Flux while it still violates gets
// Flux (and then revert detection), not the switch again; the restore still clears our record.
TEST(FluxSuspendTest, SwitchTheUserRemovedIsNotSetAgain) {
  json object = FluxDeployment(BadPodSpec());
  Step(kScaleDownFlux, object);
  object["metadata"]["annotations"].erase(kFlux);
  RemediationPlan again = Plan(kScaleDownFlux, object);
  EXPECT_FALSE(again.patch) << again.patch->dump();
  object["spec"]["template"]["spec"] = GoodPodSpec();
  RemediationPlan up = Step(kScaleDownFlux, object);
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kFluxOurs));
  EXPECT_EQ(Reasons(up),
            (std::vector<std::string>{"Labeled", "Restored", "FluxReconcileRestored"}));
}

TEST(FluxSuspendTest, OnlyWhenOptedInOnAFluxWorkload) {
  json plain = FluxDeployment(BadPodSpec());
  Step(kScaleDown, plain);  // not opted in
  EXPECT_FALSE(plain["metadata"]["annotations"].contains(kFlux));
  json argo = Deployment(BadPodSpec());
  Step(kScaleDownFlux, argo);  // not Flux's
  EXPECT_FALSE(argo["metadata"]["annotations"].contains(kFlux));
}

TEST(FluxSuspendTest, UsersOwnDisableIsLeftAlone) {
  json object = FluxDeployment(BadPodSpec());
  object["metadata"]["annotations"][kFlux] = "disabled";
  Step(kScaleDownFlux, object);
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kFluxOurs));
  object["spec"]["template"]["spec"] = GoodPodSpec();
  Step(kScaleDownFlux, object);
  EXPECT_EQ(object["metadata"]["annotations"][kFlux], "disabled");
}

TEST(IsolateTest, NetworkPolicyDeniesAllForTheWorkloadsSelector) {
  json object = Deployment(BadPodSpec());
  RemediationPlan plan = Step(kIsolate, object);
  EXPECT_EQ(plan.action, policy::Action::kIsolate);
  EXPECT_EQ(plan.isolation, Isolation::kEnsure);
  EXPECT_EQ(plan.network_policy_name, "csp-isolate-deployment-web");
  EXPECT_EQ(plan.remediation, "isolated by NetworkPolicy csp-isolate-deployment-web");
  EXPECT_EQ(Reasons(plan), (std::vector<std::string>{"Labeled", "Isolated"}));
  EXPECT_EQ(object["spec"]["replicas"], 3) << "it keeps running";
  const json& np = plan.network_policy;
  EXPECT_EQ(np["spec"]["podSelector"], (json{{"matchLabels", {{"app", "web"}}}}));
  EXPECT_EQ(np["spec"]["policyTypes"], (json{"Ingress", "Egress"}));
  EXPECT_FALSE(np["spec"].contains("ingress"));
  EXPECT_FALSE(np["spec"].contains("egress"));
  EXPECT_EQ(np["metadata"]["namespace"], "default");
  EXPECT_EQ(np["metadata"]["labels"][std::string(names::kManagedByLabel)], "csp-operator");
  EXPECT_EQ(np["metadata"]["ownerReferences"], (json::array({{{"apiVersion", "apps/v1"},
                                                              {"kind", "Deployment"},
                                                              {"name", "web"},
                                                              {"uid", "uid-web"}}})));
  EXPECT_EQ(object["metadata"]["annotations"][kIsolated], "csp-isolate-deployment-web");

  // Converged: the policy is ensured on every pass, without a patch.
  RemediationPlan again = Plan(kIsolate, object);
  EXPECT_FALSE(again.patch);
  EXPECT_EQ(again.isolation, Isolation::kEnsure);

  object["spec"]["template"]["spec"] = GoodPodSpec();
  RemediationPlan fixed = Step(kIsolate, object);
  EXPECT_EQ(fixed.isolation, Isolation::kRelease);
  EXPECT_EQ(fixed.network_policy_name, "csp-isolate-deployment-web");
  EXPECT_EQ(Reasons(fixed), (std::vector<std::string>{"Labeled", "Released"}));
  EXPECT_FALSE(object["metadata"]["annotations"].contains(kIsolated));
  EXPECT_EQ(Plan(kIsolate, object).isolation, Isolation::kNone);
}

TEST(IsolateTest, ReleasedWhenThePolicyNoLongerAsks) {
  json object = Deployment(BadPodSpec());
  Step(kIsolate, object);
  RemediationPlan label = Step(kLabel, object);
  EXPECT_EQ(label.isolation, Isolation::kRelease);
  EXPECT_EQ(label.remediation, "labeled");
}

TEST(IsolateTest, StrengthOrderScaleDownOverIsolateOverLabel) {
  json object = Deployment(BadPodSpec());
  std::deque<policy::Policy> policies = {test::MakePolicy("a", kIsolate),
                                         test::MakePolicy("b", kScaleDown)};
  RemediationPlan both = PlanRemediation(object, test::MustEvaluate(policies, object));
  EXPECT_EQ(both.action, policy::Action::kScaleDown);
  EXPECT_EQ(both.isolation, Isolation::kNone);
  // A per-control Isolate beats the policy's Label.
  RemediationPlan over = Plan(kLabelIsolatePrivileged, object);
  EXPECT_EQ(over.action, policy::Action::kIsolate);
  EXPECT_EQ(over.isolation, Isolation::kEnsure);
}

struct SelectorCase {
  std::string name;
  json object;
  json want;  // null: cannot isolate
};

std::vector<SelectorCase> SelectorCases() {
  const json bad = BadPodSpec();
  const json app = {{"app", "x"}};
  json cron = MakeWorkload("CronJob", "c", bad);
  cron["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"] = app;
  json rc_template = MakeWorkload("ReplicationController", "r", bad);
  rc_template["spec"]["template"]["metadata"]["labels"] = app;
  return {
      {"pod_labels", MakeWorkload("Pod", "p", bad, {}, {{"labels", app}}), {{"matchLabels", app}}},
      {"pod_without_labels", MakeWorkload("Pod", "p", bad), nullptr},
      {"cronjob_template_labels", cron, {{"matchLabels", app}}},
      {"cronjob_without_labels", MakeWorkload("CronJob", "c", bad), nullptr},
      {"rc_selector_map",
       MakeWorkload("ReplicationController", "r", bad, {{"selector", app}}),
       {{"matchLabels", app}}},
      {"rc_template_labels", rc_template, {{"matchLabels", app}}},
      {"job_expressions",
       MakeWorkload(
           "Job", "j", bad,
           {{"selector", {{"matchExpressions", {{{"key", "a"}, {"operator", "Exists"}}}}}}}),
       {{"matchExpressions", {{{"key", "a"}, {"operator", "Exists"}}}}}},
      {"empty_selector_never_selects_all",
       MakeWorkload("StatefulSet", "s", bad, {{"selector", json::object()}}), nullptr},
  };
}

class IsolateSelectorTest : public testing::TestWithParam<SelectorCase> {};

TEST_P(IsolateSelectorTest, SelectsTheWorkloadsPods) {
  RemediationPlan plan = Plan(kIsolate, GetParam().object);
  if (GetParam().want.is_null()) {
    EXPECT_EQ(plan.isolation, Isolation::kNone);
    EXPECT_EQ(plan.remediation, "labeled (cannot isolate: no pod selector)");
  } else {
    ASSERT_EQ(plan.isolation, Isolation::kEnsure);
    EXPECT_EQ(plan.network_policy["spec"]["podSelector"], GetParam().want);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, IsolateSelectorTest, testing::ValuesIn(SelectorCases()),
                         [](const auto& info) { return info.param.name; });

TEST(IsolationPolicyNameTest, FitsTheNameLimit) {
  EXPECT_EQ(IsolationPolicyName("StatefulSet", "db"), "csp-isolate-statefulset-db");
  const std::string a = IsolationPolicyName("Deployment", std::string(300, 'a'));
  const std::string b = IsolationPolicyName("Deployment", std::string(299, 'a') + "b");
  EXPECT_EQ(a.size(), 253u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace csp::controllers
