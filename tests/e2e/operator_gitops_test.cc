// Remediation against a GitOps controller (docs/remediation.md "Revert detection"): a fixture
// plays Argo CD with self-heal, server-side applying the Git manifest (replicas included) as
// field manager argocd-controller every second. The operator scales the violating Deployment
// down, sees it put back, scales it down once more, and at the second revert stops: it records
// the stop on the workload, reports `reverted by argocd-controller`, emits one Warning Event,
// counts the workload in the policy's status, and patches nothing more while Git stays as it
// is. When Git is fixed, the workload ends compliant and labeled so.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "operator_harness.h"

namespace csp::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Ceilings on a loaded 2-core machine, not expectations.
constexpr auto kReconcile = 90s;
// How long the stop is watched for further patches: "the rest of the minute".
constexpr auto kQuiet = 30s;

const std::string kStopAnnotation(names::kRemediationRevertedAnnotation);

// Re-applies a manifest every second with server-side apply, forcing conflicts, as Argo CD's
// self-heal does; the manifest can be swapped ("a new commit").
class GitOpsController {
 public:
  GitOpsController(std::string ns, json manifest) : ns_(std::move(ns)), manifest_(manifest) {
    thread_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        std::string text;
        {
          std::lock_guard lock(mu_);
          text = manifest_.dump();
        }
        CommandResult r = Kubectl({"apply", "--server-side", "--field-manager=argocd-controller",
                                   "--force-conflicts", "-n", ns_, "-f", "-"},
                                  text);
        if (r.exit_code == 0) ++applies_;
        std::this_thread::sleep_for(1s);
      }
    });
  }
  void Commit(json manifest) {
    std::lock_guard lock(mu_);
    manifest_ = std::move(manifest);
  }
  int applies() const { return applies_.load(); }

 private:
  const std::string ns_;
  std::mutex mu_;
  json manifest_;
  std::atomic<int> applies_{0};
  std::jthread thread_;  // last: stopped and joined first
};

json GitManifest(const std::string& ns, bool privileged) {
  json d = DeploymentObject("web", 2, PodSpec(privileged));
  d["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] =
      "shop:apps/Deployment:" + ns + "/web";
  return d;
}

// The privileged rule's result on Deployment/web, or null.
json PrivilegedResult(const std::string& ns, const std::string& policy) {
  auto report = Report(ns, policy);
  if (!report) return json();
  for (const json& r : ResultsFor(*report, "Deployment", "web")) {
    if (r.value("rule", "") == kPrivilegedRule) return r;
  }
  return json();
}

double Patches(OperatorProcess& op) {
  return SumMetric(op.Metrics(), "csp_workload_patches_total");
}

class OperatorGitOpsTest : public OperatorTest {};

TEST_F(OperatorGitOpsTest, StopsAfterTheSecondRevertAndLabelsTheFixedManifest) {
  OperatorProcess* op = StartOperator();
  ASSERT_FALSE(HasFailure());
  const std::string policy = CreatePolicy("gitops", PrivilegedOnlyPolicySpec(ns(), "ScaleDown"));
  WaitPolicyReconciled(policy);
  ASSERT_FALSE(HasFailure());

  GitOpsController argo(ns(), GitManifest(ns(), /*privileged=*/true));
  json stopped;
  ASSERT_TRUE(WaitObject(
      "deployments.apps", "web", "the stop recorded for argocd-controller",
      [&](const json& o) {
        stopped = o;
        return AnnotationOf(o, kStopAnnotation).ends_with(" argocd-controller");
      },
      kReconcile));
  EXPECT_GE(argo.applies(), 2);
  EXPECT_NE(OperatorEvents(ns(), "Deployment", "web").count("ScaledDown"), 0u);

  // Reported: the result, one Warning Event, the policy's count, the metric.
  json result;
  EXPECT_TRUE(Eventually(
      [&] {
        result = PrivilegedResult(ns(), policy);
        return result.value("properties", json::object()).value("remediation", "") ==
               "reverted by argocd-controller";
      },
      kReconcile))
      << result.dump(2);
  EXPECT_EQ(result["properties"].value("managedBy", ""), "argocd/shop") << result.dump(2);
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

  // Nothing more is patched while Git stays as it is, though Argo keeps applying.
  const double patches = Patches(*op);
  const int applies = argo.applies();
  std::this_thread::sleep_for(kQuiet);
  EXPECT_GT(argo.applies(), applies) << "the GitOps fixture stopped applying";
  EXPECT_EQ(Patches(*op), patches) << op->LogTail();
  auto web = TryGet("deployments.apps", ns(), "web");
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ((*web)["spec"]["replicas"], 2) << "Git's replicas stay";
  EXPECT_EQ(OperatorEvents(ns(), "Deployment", "web")["RemediationReverted"], 1);

  // Git fixed: compliant, labeled so, the stop and the scale-down record gone.
  argo.Commit(GitManifest(ns(), /*privileged=*/false));
  EXPECT_TRUE(WaitObject(
      "deployments.apps", "web", "compliant, labeled, without our records",
      [&](const json& o) {
        return LabelOf(o, kCompliantLabel) == "true" && !HasAnnotation(o, kStopAnnotation) &&
               !HasAnnotation(o, kScaledDownFromAnnotation) && o["spec"].value("replicas", -1) == 2;
      },
      kReconcile));
  EXPECT_TRUE(Eventually(
      [&] { return PrivilegedResult(ns(), policy).value("result", "") == "pass"; }, kReconcile));
}

}  // namespace
}  // namespace csp::e2e
