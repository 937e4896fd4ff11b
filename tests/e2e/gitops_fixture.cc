#include "gitops_fixture.h"

#include <chrono>
#include <utility>

namespace csp::e2e {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// Ceilings on a loaded 2-core machine, not expectations.
constexpr auto kReconcile = 90s;
// How long the stop is watched for further patches: "the rest of the minute".
constexpr auto kQuiet = 30s;

const std::string kStopAnnotation(names::kRemediationRevertedAnnotation);
const std::string kFluxSwitch(names::kFluxReconcileAnnotation);

}  // namespace

GitOpsTool ArgoCd(const std::string& ns) {
  return {
      .field_manager = "argocd-controller",
      .metadata = {{"annotations",
                    {{"argocd.argoproj.io/tracking-id", "shop:apps/Deployment:" + ns + "/web"}}}},
      .managed_by = "argocd/shop"};
}

GitOpsTool FluxKustomize() {
  return {.field_manager = "kustomize-controller",
          .honors_flux_switch = true,
          .metadata = {{"labels",
                        {{"kustomize.toolkit.fluxcd.io/name", "apps"},
                         {"kustomize.toolkit.fluxcd.io/namespace", "flux-system"}}}},
          .managed_by = "flux-kustomization/flux-system/apps"};
}

json GitManifest(const GitOpsTool& tool, bool privileged) {
  json d = DeploymentObject("web", 2, PodSpec(privileged));
  d["metadata"].merge_patch(tool.metadata);
  return d;
}

GitOpsController::GitOpsController(std::string ns, GitOpsTool tool, json manifest)
    : ns_(std::move(ns)), tool_(std::move(tool)), manifest_(std::move(manifest)) {
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      Round();
      std::this_thread::sleep_for(1s);
    }
  });
}

void GitOpsController::Commit(json manifest) {
  std::lock_guard lock(mu_);
  manifest_ = std::move(manifest);
}

void GitOpsController::Round() {
  std::string text;
  {
    std::lock_guard lock(mu_);
    text = manifest_.dump();
  }
  if (tool_.honors_flux_switch) {
    // kustomize-controller reads the object in the cluster and leaves it alone when disabled.
    auto live = TryGet("deployments.apps", ns_, "web");
    if (live && AnnotationOf(*live, kFluxSwitch) == "disabled") {
      ++skips_;
      return;
    }
  }
  CommandResult r = Kubectl({"apply", "--server-side", "--field-manager=" + tool_.field_manager,
                             "--force-conflicts", "-n", ns_, "-f", "-"},
                            text);
  if (r.exit_code == 0) ++applies_;
}

json WebResult(const std::string& ns, const std::string& policy, const std::string& rule) {
  auto report = Report(ns, policy);
  if (!report) return json();
  for (const json& r : ResultsFor(*report, "Deployment", "web")) {
    if (r.value("rule", "") == rule) return r;
  }
  return json();
}

std::string PropertyOf(const json& result, const std::string& key) {
  if (!result.is_object()) return "";
  const json properties = result.value("properties", json::object());
  auto it = properties.find(key);
  return it != properties.end() && it->is_string() ? it->get<std::string>() : "";
}

double Patches(OperatorProcess& op) {
  return SumMetric(op.Metrics(), "csp_workload_patches_total");
}

void GitOpsTest::ExpectBackOffAfterSecondRevert(const GitOpsTool& tool) {
  OperatorProcess* op = StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy = CreatePolicy("gitops", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  GitOpsController git(ns(), tool, GitManifest(tool, /*privileged=*/true));
  ASSERT_TRUE(WaitObject(
      "deployments.apps", "web", "the stop recorded for " + tool.field_manager,
      [&](const json& o) {
        return AnnotationOf(o, kStopAnnotation).ends_with(" " + tool.field_manager);
      },
      kReconcile));
  EXPECT_GE(git.applies(), 2);
  // Events are sent by a thread of their own, a moment after the patch.
  EXPECT_TRUE(
      Eventually([&] { return OperatorEvents(ns(), "Deployment", "web").count("ScaledDown") != 0; },
                 kReconcile));

  // Reported: the result, one Warning Event, the policy's count, the metric.
  json result;
  EXPECT_TRUE(Eventually(
      [&] {
        result = WebResult(ns(), policy);
        return PropertyOf(result, "remediation") == "reverted by " + tool.field_manager;
      },
      kReconcile))
      << result.dump(2);
  EXPECT_EQ(PropertyOf(result, "managedBy"), tool.managed_by) << result.dump(2);
  EXPECT_TRUE(Eventually(
      [&] { return OperatorEvents(ns(), "Deployment", "web").count("RemediationReverted"); },
      kReconcile));
  json status;
  EXPECT_TRUE(Eventually(
      [&] {
        status = TryGet("containersecuritypolicies.containersecurity.dev", "", policy)
                     .value_or(json())
                     .value("status", json::object());
        return status.value("workloads", json::object()).value("reverted", 0) == 1;
      },
      kReconcile))
      << status.dump(2);
  EXPECT_EQ(SumMetric(op->Metrics(), "csp_remediation_reverts_total"), 1);

  // Nothing more is patched while Git stays as it is, though the tool keeps applying.
  const double patches = Patches(*op);
  const int applies = git.applies();
  std::this_thread::sleep_for(kQuiet);
  EXPECT_GT(git.applies(), applies) << "the GitOps fixture stopped applying";
  EXPECT_EQ(Patches(*op), patches) << op->LogTail();
  auto web = TryGet("deployments.apps", ns(), "web");
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ((*web)["spec"]["replicas"], 2) << "Git's replicas stay";
  EXPECT_FALSE(HasAnnotation(*web, kFluxSwitch)) << "Flux's switch is for suspendFlux only";
  EXPECT_EQ(git.skips(), 0);
  const std::map<std::string, int> events = OperatorEvents(ns(), "Deployment", "web");
  EXPECT_EQ(events.count("RemediationReverted") ? events.at("RemediationReverted") : 0, 1);
  EXPECT_EQ(events.count("FluxReconcileDisabled"), 0u);

  // Git fixed: compliant, labeled so, the stop and the scale-down record gone.
  git.Commit(GitManifest(tool, /*privileged=*/false));
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "web", "compliant, labeled, without our records",
      [&](const json& o) {
        return LabelOf(o, kCompliantLabel) == "true" && !HasAnnotation(o, kStopAnnotation) &&
               !HasAnnotation(o, kScaledDownFromAnnotation) && o["spec"].value("replicas", -1) == 2;
      },
      kReconcile));
  EXPECT_TRUE(Eventually([&] { return WebResult(ns(), policy).value("result", "") == "pass"; },
                         kReconcile));
}

}  // namespace csp::e2e
