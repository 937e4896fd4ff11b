// Remediation against Flux (docs/remediation.md "Flux: suspend reconciliation while scaled
// down"): a fixture plays kustomize-controller, server-side applying the Git manifest (with
// Flux's kustomize.toolkit.fluxcd.io/name|namespace labels) as field manager
// kustomize-controller every second, and skipping the object while its live copy carries
// `kustomize.toolkit.fluxcd.io/reconcile: disabled`, as Flux does.
//
// With the policy's spec.remediation.suspendFlux, the scale-down also sets that switch, so
// nothing fights; Flux applies nothing to the object meanwhile, the fixed manifest included, so
// the owner fixes the live object as well, and the restore removes the switch and Flux applies
// Git again. Without the opt-in, the revert back-off holds as it does for Argo CD.
#include <string>
#include <thread>

#include "gitops_fixture.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Ceilings on a loaded 2-core machine, not expectations.
constexpr auto kReconcile = 90s;
// How long the scaled-down workload is watched for a fight.
constexpr auto kQuiet = 20s;

const std::string kFluxSwitch(names::kFluxReconcileAnnotation);
const std::string kOurSwitchRecord(names::kFluxReconcileDisabledAnnotation);
const std::string kStopAnnotation(names::kRemediationRevertedAnnotation);

int EventCount(const std::string& ns, const std::string& reason) {
  const std::map<std::string, int> events = OperatorEvents(ns, "Deployment", "web");
  auto it = events.find(reason);
  return it == events.end() ? 0 : it->second;
}

class OperatorGitOpsFluxTest : public GitOpsTest {};

TEST_F(OperatorGitOpsFluxTest, SuspendFluxDisablesReconcileWhileScaledDownAndRemovesItOnRestore) {
  OperatorProcess* op = StartOperator();
  ASSERT_FALSE(HasFailure());
  json spec = PrivilegedOnlyPolicySpec(ns(), "ScaleDown");
  spec["remediation"] = {{"suspendFlux", true}};
  const std::string policy = CreatePolicy("flux", spec);
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  const GitOpsTool flux = FluxKustomize();
  GitOpsController git(ns(), flux, GitManifest(flux, /*privileged=*/true));
  ASSERT_TRUE(WaitObject(
      "deployments.apps", "web", "scaled down with Flux's reconcile disabled by us",
      [](const json& o) {
        return o["spec"].value("replicas", -1) == 0 && AnnotationOf(o, kFluxSwitch) == "disabled" &&
               AnnotationOf(o, kOurSwitchRecord) == "true";
      },
      kReconcile));
  EXPECT_TRUE(
      Eventually([&] { return EventCount(ns(), "FluxReconcileDisabled") == 1; }, kReconcile))
      << EventCount(ns(), "FluxReconcileDisabled");
  EXPECT_NE(EventCount(ns(), "ScaledDown"), 0);

  json result;
  EXPECT_TRUE(Eventually(
      [&] {
        result = WebResult(ns(), policy);
        return PropertyOf(result, "remediation") == "scaled-down from 2 replicas";
      },
      kReconcile))
      << result.dump(2);
  EXPECT_EQ(PropertyOf(result, "managedBy"), flux.managed_by) << result.dump(2);

  // No fight: Flux keeps its hands off, the operator patches nothing more.
  const double patches = Patches(*op);
  const int skips = git.skips();
  std::this_thread::sleep_for(kQuiet);
  EXPECT_GT(git.skips(), skips) << "the Flux fixture stopped";
  EXPECT_EQ(Patches(*op), patches) << op->LogTail();
  auto web = TryGet("deployments.apps", ns(), "web");
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ((*web)["spec"]["replicas"], 0);
  EXPECT_EQ(AnnotationOf(*web, kFluxSwitch), "disabled");
  EXPECT_FALSE(HasAnnotation(*web, kStopAnnotation));
  EXPECT_EQ(EventCount(ns(), "RemediationReverted"), 0);
  EXPECT_EQ(EventCount(ns(), "FluxReconcileDisabled"), 1);

  // Git fixed; Flux skips the object, so the owner fixes the live one too. The restore brings
  // the replicas back and removes the switch; Flux then applies Git again.
  git.Commit(GitManifest(flux, /*privileged=*/false));
  Patch("deployments.apps", "web",
        json::array({{{"op", "replace"},
                      {"path", "/spec/template/spec/containers/0/securityContext/privileged"},
                      {"value", false}}}),
        "json");
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "web", "restored, compliant, Flux's switch and our records gone",
      [](const json& o) {
        return o["spec"].value("replicas", -1) == 2 && LabelOf(o, kCompliantLabel) == "true" &&
               !HasAnnotation(o, kFluxSwitch) && !HasAnnotation(o, kOurSwitchRecord) &&
               !HasAnnotation(o, kScaledDownFromAnnotation);
      },
      kReconcile));
  EXPECT_TRUE(
      Eventually([&] { return EventCount(ns(), "FluxReconcileRestored") == 1; }, kReconcile))
      << EventCount(ns(), "FluxReconcileRestored");
  const int applies = git.applies();
  EXPECT_TRUE(Eventually([&] { return git.applies() >= applies + 2; }, kReconcile))
      << "Flux did not resume";
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "web", "still compliant under Flux",
      [](const json& o) {
        return o["spec"].value("replicas", -1) == 2 && LabelOf(o, kCompliantLabel) == "true";
      },
      kReconcile));
  EXPECT_TRUE(Eventually(
      [&] {
        result = WebResult(ns(), policy);
        return result.value("result", "") == "pass";
      },
      kReconcile))
      << result.dump(2);
  EXPECT_EQ(PropertyOf(result, "managedBy"), flux.managed_by) << result.dump(2);
}

TEST_F(OperatorGitOpsFluxTest, WithoutSuspendFluxStopsAfterTheSecondRevert) {
  ExpectBackOffAfterSecondRevert(FluxKustomize());
}

}  // namespace
}  // namespace csp::e2e
